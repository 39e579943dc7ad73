// Clicks through a prototype's web app in headless Chromium, as a
// stakeholder would: reads what a field shows, fills in a form, presses its
// button, and reads what the page shows then.
//
// Usage: node app-click.mjs <chromium> <url> <screenshot.png> <state selector>
//          <input selector> <value> <button selector>
// Prints one JSON line: { before, after, notice, requests, title }, where
// `requests` lists every URL the page asked for.
import puppeteer from "puppeteer-core";

const [chromium, url, screenshot, state, input, value, button] = process.argv.slice(2);

const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    // Loopback bypasses the proxy; everything else goes nowhere.
    "--proxy-server=127.0.0.1:9",
  ],
});
try {
  const page = await browser.newPage();
  const requests = [];
  page.on("request", (request) => requests.push(request.url()));
  await page.setViewport({ width: 1280, height: 1800 });
  await page.goto(url, { waitUntil: "load" });
  const text = (selector) =>
    page.$eval(selector, (element) => element.textContent.trim()).catch(() => null);
  const before = await text(state);
  await page.$eval(input, (element) => {
    element.value = "";
  });
  await page.type(input, value);
  await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click(button)]);
  const after = await text(state);
  const notice = await text(".notice");
  const title = await page.title();
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(JSON.stringify({ before, after, notice, requests, title }));
} finally {
  await browser.close();
}
