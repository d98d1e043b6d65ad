// Opens the plan's page, the page that hosts the fragment and any other page given
// (the reviews' pages) in Debian's Chromium (puppeteer-core), runs axe-core on them
// at each width, measures horizontal scrolling, takes the screenshots, prints the
// plan's page as the browser would, and writes every measurement as JSON on
// stdout. The Rust test decides what passes.
//
// Usage: node check-page.mjs <plan.html> <host.html> <bare-host.html> <captures dir> <work dir> [<other.html>…]

import { createRequire } from "node:module";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const AXE = require.resolve("axe-core/axe.min.js");

const [pagePath, hostPath, bareHostPath, capturesDir, workDir, ...otherPaths] = process.argv.slice(2);
if (!workDir) {
  console.error("usage : node check-page.mjs <plan.html> <hôte.html> <hôte-nu.html> <captures> <travail> [<autre.html>…]");
  process.exit(2);
}
const WIDTHS = [1280, 375];
// Screenshots show the top of the page: enough to judge the layout, small enough to open.
const MAX_CAPTURE_HEIGHT = 4000;

const profile = fs.mkdtempSync(path.join(os.tmpdir(), "ctg-chromium-"));
const browser = await puppeteer.launch({
  executablePath: process.env.CTG_CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    `--user-data-dir=${profile}`,
  ],
});

/** Opens `file` in a new tab at `width`, recording every request but the page's own
 * (an image embedded in the page as a `data:` address is part of it). */
async function open(file, width) {
  const page = await browser.newPage();
  await page.setViewport({ width, height: 900, deviceScaleFactor: 1 });
  const url = pathToFileURL(path.resolve(file)).href;
  const requests = [];
  await page.setRequestInterception(true);
  page.on("request", (request) => {
    if (request.url() === url || request.url().startsWith("data:")) {
      request.continue();
    } else {
      requests.push(request.url());
      request.abort();
    }
  });
  await page.goto(url, { waitUntil: "load" });
  return { page, requests };
}

async function axe(page) {
  await page.addScriptTag({ path: AXE });
  const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
  }));
}

/** Layout facts the Rust test checks at each width. */
function layout(page) {
  return page.evaluate(() => {
    const root = document.documentElement;
    const td = document.querySelector(".ctg-plan td");
    const thead = document.querySelector(".ctg-plan thead");
    const wrapper = document.querySelector(".ctg-plan .ctg-defilement");
    const label = td ? getComputedStyle(td, "::before").content : null;
    return {
      scrollWidth: root.scrollWidth,
      clientWidth: root.clientWidth,
      scrollHeight: root.scrollHeight,
      cellDisplay: td ? getComputedStyle(td).display : null,
      cellLabel: label,
      cellLabelAttribute: td ? td.getAttribute("data-label") : null,
      theadHeight: thead ? thead.getBoundingClientRect().height : null,
      wrapperOverflowX: wrapper ? getComputedStyle(wrapper).overflowX : null,
      wrapperTabIndex: wrapper ? wrapper.tabIndex : null,
      wrapperScrolls: wrapper ? wrapper.scrollWidth > wrapper.clientWidth : null,
    };
  });
}

/** Selectors of the fragment's own style sheet that do not start with `.ctg-plan`. */
function unscopedSelectors(page) {
  return page.evaluate(() => {
    const style = document.querySelector(".ctg-plan > style");
    if (!style || !style.sheet) return ["(feuille de style du fragment introuvable)"];
    const bad = [];
    const walk = (rules) => {
      for (const rule of rules) {
        if (rule instanceof CSSStyleRule) {
          for (const selector of rule.selectorText.split(",")) {
            if (!/^\.ctg-plan(?![\w-])/.test(selector.trim())) bad.push(selector.trim());
          }
        } else if (rule instanceof CSSMediaRule || rule instanceof CSSSupportsRule) {
          walk(rule.cssRules);
        } else {
          bad.push(rule.cssText.slice(0, 60));
        }
      }
    };
    walk(style.sheet.cssRules);
    return bad;
  });
}

/** Computed styles of the host page's own elements, outside the fragment. */
function hostStyles(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll("[data-site]")].map((el) => {
      const s = getComputedStyle(el);
      return {
        element: el.getAttribute("data-site"),
        style: [s.color, s.backgroundColor, s.fontSize, s.fontWeight, s.borderTopWidth, s.padding, s.display, s.textAlign, s.lineHeight].join(" | "),
      };
    }),
  );
}

const report = { page: [], host: [], others: [], print: null, hostStylesAlone: null, hostStylesWithFragment: null };

/** Layout, axe-core and a screenshot named `<name>-<width>.png`, at each width. */
async function checkPage(file, name) {
  const runs = [];
  for (const width of WIDTHS) {
    const { page, requests } = await open(file, width);
    const facts = await layout(page);
    const violations = await axe(page);
    const capture = path.join(capturesDir, `${name}-${width}.png`);
    const height = Math.min(facts.scrollHeight, MAX_CAPTURE_HEIGHT);
    await page.screenshot({ path: capture, clip: { x: 0, y: 0, width, height }, captureBeyondViewport: true });
    runs.push({ width, ...facts, violations, requests, capture });
    await page.close();
  }
  return runs;
}

report.page = await checkPage(pagePath, "plan");

// Other pages by file name; a name met again, the plan's page's included, gets
// its rank ("bilan-2024-2", "plan-4").
const names = new Set(["plan"]);
for (const [i, file] of otherPaths.entries()) {
  let name = path.basename(file, ".html");
  if (names.has(name)) name = `${name}-${i + 1}`;
  names.add(name);
  report.others.push({ file, runs: await checkPage(file, name) });
}

for (const width of WIDTHS) {
  const { page, requests } = await open(hostPath, width);
  const facts = await layout(page);
  const violations = await axe(page);
  const unscoped = await unscopedSelectors(page);
  if (width === WIDTHS[0]) report.hostStylesWithFragment = await hostStyles(page);
  report.host.push({ width, ...facts, violations, requests, unscoped });
  await page.close();
}

{
  const { page } = await open(bareHostPath, WIDTHS[0]);
  report.hostStylesAlone = await hostStyles(page);
  await page.close();
}

{
  const { page, requests } = await open(pagePath, WIDTHS[0]);
  await page.emulateMediaType("print");
  const facts = await page.evaluate(() => {
    const thead = document.querySelector(".ctg-plan thead");
    const cells = [...document.querySelectorAll(".ctg-plan td")];
    return {
      theadDisplay: getComputedStyle(thead).display,
      cellsBreakInside: [...new Set(cells.map((c) => getComputedStyle(c).breakInside))],
      downloadLinkDisplay: getComputedStyle(document.querySelector(".annexe")).display,
    };
  });
  const pdf = path.join(workDir, "plan-impression.pdf");
  await page.pdf({ path: pdf, preferCSSPageSize: true, printBackground: true });
  report.print = { ...facts, pdf, requests };
  await page.close();
}

await browser.close();
fs.rmSync(profile, { recursive: true, force: true });
process.stdout.write(JSON.stringify(report, null, 2) + "\n");
