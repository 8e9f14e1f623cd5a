#!/usr/bin/env python3
"""安装并运行银龄助手（只需要 Python 3.11）：

    python3 dev.py sandbox     安装后在本机启动整个产品并进入对话（不需要微信公众号）
    python3 dev.py test        安装后运行全部测试（后面的参数交给 pytest）
    python3 dev.py setup       只创建 .venv 并安装依赖
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
STAMP = VENV / ".installed"


def setup() -> None:
    """Create .venv and install the project with its dev tools, when pyproject.toml changed."""
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"需要 Python 3.11，现在是 {sys.version.split()[0]}。")
    if not PYTHON.exists():
        print("创建虚拟环境 .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text() != wanted:
        print("安装依赖 …", flush=True)
        subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "-e", f"{ROOT}[dev]"], check=True)
        STAMP.write_text(wanted)


def main(argv: list[str]) -> int:
    """Run the named task inside .venv."""
    task, rest = (argv[0], argv[1:]) if argv else ("", [])
    commands = {
        "sandbox": [str(PYTHON), "-m", "bot", "sandbox", *rest],
        "test": [str(PYTHON), "-m", "pytest", *rest],
        "setup": None,
    }
    if task not in commands:
        print(__doc__)
        return 2
    setup()
    command = commands[task]
    if command is None:
        return 0
    os.chdir(ROOT)
    # This process becomes the task (no parent left behind): Ctrl-C, kill and a closed terminal
    # reach the sandbox itself, which stops everything it started.
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(command[0], command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
