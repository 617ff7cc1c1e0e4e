// Drives Debian's chromium (through Playwright) against the dashboard for
// tests/integration/dashboard_test.cpp: reads commands on stdin, one per line, and appends
// one JSON result per command to a file the test polls.
//
//   node dashboard_check.mjs URL RESULTS_FILE SERVER...
//
// Commands: `baseline` (the reads shown per server now), `moved N` (waits until the
// replicas show N more reads), `down NAME` (waits until NAME is drawn down; reports how long
// it took), `screenshot FILE`, `quit` (reports the console errors seen, then exits).
import { appendFileSync } from "node:fs";
import readline from "node:readline";
import { chromium } from "playwright-core";

const [url, results, ...servers] = process.argv.slice(2);
const report = (result) => appendFileSync(results, `${JSON.stringify(result)}\n`);

const errors = [];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
page.on("console", (message) => {
  if (message.type() === "error") errors.push(message.text());
});
page.on("pageerror", (error) => errors.push(String(error)));

try {
  await page.goto(url);
  for (const node of ["gatekeeper", "trusted-host", "proxy", ...servers]) {
    await page.waitForSelector(`[data-node="${node}"]`, { timeout: 10000 });
  }
  report({ step: "nodes", ok: true });
} catch (error) {
  report({ step: "nodes", ok: false, error: String(error) });
}

const reads = () =>
  page.$$eval("#reads tbody tr", (rows) =>
    rows.filter((r) => r.dataset.role !== "primary")
      .reduce((sum, r) => sum + Number(r.dataset.reads), 0));

let baseline = 0;
const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  const [command, argument] = line.trim().split(/\s+/);
  try {
    if (command === "baseline") {
      baseline = await reads();
      report({ step: "baseline", reads: baseline });
    } else if (command === "moved") {
      const wanted = baseline + Number(argument);
      await page.waitForFunction(
        (n) => [...document.querySelectorAll("#reads tbody tr")]
          .filter((r) => r.dataset.role !== "primary")
          .reduce((sum, r) => sum + Number(r.dataset.reads), 0) >= n,
        wanted, { timeout: 10000 });
      report({ step: "moved", reads: await reads(), baseline });
    } else if (command === "down") {
      const started = Date.now();
      await page.waitForSelector(`.servers [data-node="${argument}"][data-state="down"]`,
        { timeout: 10000 });
      report({ step: "down", server: argument, ms: Date.now() - started });
    } else if (command === "screenshot") {
      await page.screenshot({ path: argument, fullPage: true });
      report({ step: "screenshot", file: argument });
    } else if (command === "quit") {
      report({ step: "quit", errors });
      break;
    }
  } catch (error) {
    report({ step: command, ok: false, error: String(error) });
  }
}
await browser.close();
