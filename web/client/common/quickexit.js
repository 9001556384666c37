// "Exit this page", after the GOV.UK pattern: a visible button, and Shift pressed three times,
// both replace this page with a neutral site. Browser history is not cleared (we say so).

export const EXIT_URL = "https://www.bbc.co.uk/weather";
const PRESSES = 3;
const WINDOW_MS = 2000;

export function quickExit(beforeExit = () => {}) {
  try {
    beforeExit();
  } catch {
    // leaving matters more than tidying up
  }
  document.title = "BBC Weather";
  document.documentElement.classList.add("exiting");
  window.location.replace(EXIT_URL);
}

/** Wire every [data-quick-exit] button and the Shift x3 shortcut. */
export function setupQuickExit({ beforeExit, status } = {}) {
  for (const button of document.querySelectorAll("[data-quick-exit]")) {
    button.addEventListener("click", (event) => {
      event.preventDefault();
      quickExit(beforeExit);
    });
  }
  let presses = [];
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Shift") {
      presses = [];
      return;
    }
    if (event.repeat) return;
    const now = Date.now();
    presses = presses.filter((t) => now - t < WINDOW_MS);
    presses.push(now);
    if (presses.length >= PRESSES) {
      presses = [];
      quickExit(beforeExit);
    } else if (status) {
      const left = PRESSES - presses.length;
      status(`Shift, press ${left} more ${left === 1 ? "time" : "times"} to exit.`);
    }
  }, true);
}
