// The reading page's buttons (templates/study.html), a file of its own: the page's policy runs no inline script.
const body = document.body, larger = document.getElementById("larger");
function setLarge(on) {
  body.classList.toggle("large", on);
  larger.setAttribute("aria-pressed", String(on));
  larger.textContent = on ? "字小一点" : "字大一点";
  try { localStorage.setItem("study-large", on ? "1" : ""); } catch (e) {}
}
larger.addEventListener("click", () => setLarge(!body.classList.contains("large")));
try { if (localStorage.getItem("study-large")) setLarge(true); } catch (e) {}

const speak = document.getElementById("speak");
if ("speechSynthesis" in window) {
  speak.hidden = false;
  speak.addEventListener("click", () => {
    if (speechSynthesis.speaking) { speechSynthesis.cancel(); speak.textContent = "朗读"; return; }
    const words = new SpeechSynthesisUtterance(document.getElementById("article").innerText);
    words.lang = "zh-CN"; words.rate = 0.9;
    words.onend = () => { speak.textContent = "朗读"; };
    speechSynthesis.speak(words);
    speak.textContent = "停止朗读";
  });
}

// Both 「我已学习」 buttons (after the points, at the end) send the one form and show its answer.
const form = document.getElementById("done");
const buttons = Array.from(document.querySelectorAll("[data-read]"));
if (form) form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const said = Array.from(document.querySelectorAll("[data-said]"));
  const labels = buttons.map((b) => b.textContent);
  buttons.forEach((b) => { b.disabled = true; });
  try {
    const answer = await fetch(form.action, { method: "POST", body: new FormData(form) });
    const text = await answer.text();
    said.forEach((p) => { p.textContent = text; });  // beside either button, whichever was used
    buttons.forEach((b, i) => { b.textContent = answer.ok ? "已经记下了" : labels[i]; b.disabled = answer.ok; });
  } catch (e) {
    said.forEach((p) => { p.textContent = "网络不太好，请稍后再点一次。"; });
    buttons.forEach((b) => { b.disabled = false; });
  }
});
