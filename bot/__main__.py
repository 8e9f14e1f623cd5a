"""`python -m bot …`: the bot's commands.

Run with a Python that lacks the project's packages (say the system's `python`), this hands
over to the project's own .venv, so `python -m bot ask` works from the project root either way.
"""

import importlib.util
import os
import sys
from pathlib import Path

VENV = Path(__file__).resolve().parent.parent / ".venv"
VENV_PYTHON = VENV / "bin" / "python"

if importlib.util.find_spec("sqlalchemy") is None or importlib.util.find_spec("jieba") is None:
    if VENV_PYTHON.exists() and Path(sys.prefix).resolve() != VENV.resolve():
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), "-m", "bot", *sys.argv[1:]])
    sys.exit("缺少运行所需的软件包：请先运行 python3 dev.py setup。")

from bot.cli import main  # noqa: E402  (only once the packages are known to be there)

# What the commands create (the SQLite database and its journal, the sandbox's secrets, exports)
# holds personal data or keys: readable by its owner only.
os.umask(0o077)
sys.exit(main(sys.argv[1:]))
