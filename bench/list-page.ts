/**
 * The VM list page in Chromium, for bench/list-vms.ts (on demand): how long `/t/acme/vms` takes
 * from navigation to its first rows on screen, how many rows the DOM holds, and how long one
 * keystroke in the filter takes to update the rows (issue 13: < 1 s at 1,000 VMs, < 2 s at
 * 10,000; a keystroke < 100 ms at 10,000).
 *
 * Navigation: `page.goto` start → the first VM row visible (p50 of `runs`, a new page each, the
 * browser's caches warm after the first). Keystroke: the filter's `keydown` (in the page's clock)
 * → the first animation frame after every row's VM name holds the filter's new text (the filter
 * searches names), for the keys "1",
 * "2", "3" typed one by one after clearing the box (each narrows the list), `runs` times.
 *
 * With BENCH_PROFILE=<file> the keystrokes of the last run are recorded with Chromium's CPU
 * profiler (DevTools protocol) into <file> (a .cpuprofile, for DevTools' Performance panel), and
 * the functions with the most self time are printed.
 */
import fs from "node:fs";
import { chromium } from "@playwright/test";

/** The DevTools protocol's CPU profile (Profiler.Profile): nodes, and samples with their time deltas (µs). */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples?: number[];
  timeDeltas?: number[];
}

/** Prints the 15 functions of `profile` with the most self time (ms), idle and program excluded. */
function printTopSelfTime(profile: CpuProfile): void {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const self = new Map<string, number>();
  (profile.samples ?? []).forEach((id, i) => {
    const f = byNode.get(id)!;
    const key = `${f.functionName || "(anonymous)"} ${f.url.split("/").pop()}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas?.[i] ?? 0) / 1000);
  });
  const top = [...self].filter(([k]) => !/^\((idle|program)\)/.test(k)).sort((a, b) => b[1] - a[1]).slice(0, 15);
  console.log("keystrokes' CPU profile, self time:");
  for (const [k, ms] of top) console.log(`  ${ms.toFixed(1).padStart(8)} ms  ${k}`);
}

/** The page's figures at one size, milliseconds except `domRows`. */
export interface ListPageFigures {
  navigation: number[];
  keystroke: number[];
  /** VM rows in the DOM once the page shows them (a screen's worth when virtualized) */
  domRows: number;
}

const chromiumArgs = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** `name=value; name2=value2` (a Cookie header) as Playwright cookies for `url`. */
function cookiesOf(header: string, url: string) {
  return header.split(/;\s*/).filter(Boolean).map((pair) => {
    const i = pair.indexOf("=");
    return { name: pair.slice(0, i), value: pair.slice(i + 1), url };
  });
}

/**
 * Measures the VM list page of tenant acme as the user of `cookie` at `baseUrl`.
 * @throws Error when Chromium cannot start or the page shows no row within 60 s
 */
export async function measureListPage(baseUrl: string, cookie: string, runs = 3): Promise<ListPageFigures> {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: chromiumArgs });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
    await context.addCookies(cookiesOf(cookie, baseUrl));
    // tsx compiles this file with esbuild's keepNames, which wraps the functions below in a
    // `__name(...)` helper that the page does not have
    await context.addInitScript("window.__name = (f) => f;");
    const navigation: number[] = [];
    const keystroke: number[] = [];
    let domRows = 0;
    for (let run = 0; run < runs; run++) {
      const page = await context.newPage();
      const t0 = performance.now();
      await page.goto(`${baseUrl}/t/acme/vms`, { waitUntil: "commit" });
      await page.locator("tbody tr[aria-rowindex]").first().waitFor({ state: "visible", timeout: 60_000 });
      navigation.push(performance.now() - t0);
      domRows = await page.locator("tbody tr[aria-rowindex]").count();
      // the filter needs the page to be interactive (hydrated, live)
      await page.getByText("Live", { exact: true }).waitFor({ timeout: 120_000 });
      const input = page.getByRole("search").getByRole("searchbox");
      await input.fill("");
      await page.waitForTimeout(500);
      await input.focus();
      const profiler = process.env.BENCH_PROFILE && run === runs - 1 ? await context.newCDPSession(page) : null;
      if (profiler) {
        await profiler.send("Profiler.enable");
        await profiler.send("Profiler.setSamplingInterval", { interval: 100 });
        await profiler.send("Profiler.start");
      }
      let text = "";
      for (const key of ["1", "2", "3"]) {
        text += key;
        await page.evaluate((expected) => {
          const w = window as unknown as { __bench: { down: number; done: number } };
          w.__bench = { down: 0, done: 0 };
          const box = document.querySelector<HTMLInputElement>("[role=search] input[type=search]")!;
          box.addEventListener("keydown", () => { w.__bench.down = performance.now(); }, { once: true, capture: true });
          const matches = () => {
            const rows = [...document.querySelectorAll("tbody tr[aria-rowindex]")];
            return rows.length > 0 && rows.every((r) => (r.querySelector("th[scope=row] a")?.textContent ?? "").includes(expected));
          };
          const observer = new MutationObserver(() => {
            if (w.__bench.down && matches()) {
              observer.disconnect();
              requestAnimationFrame(() => { w.__bench.done = performance.now(); });
            }
          });
          // the whole page: the VM table is not the page's first table body
          observer.observe(document.body, { childList: true, subtree: true, characterData: true });
        }, text);
        await page.keyboard.press(key);
        await page.waitForFunction(() => (window as unknown as { __bench: { done: number } }).__bench.done > 0, undefined, { timeout: 30_000 }).catch(async (err) => {
          const names = await page.locator("tbody tr[aria-rowindex] th[scope=row] a").allInnerTexts();
          throw new Error(`the rows never all matched "${text}" (shown: ${names.slice(0, 5).join(", ")}…): ${(err as Error).message}`);
        });
        keystroke.push(await page.evaluate(() => {
          const b = (window as unknown as { __bench: { down: number; done: number } }).__bench;
          return b.done - b.down;
        }));
      }
      if (profiler) {
        const { profile } = await profiler.send("Profiler.stop");
        fs.writeFileSync(process.env.BENCH_PROFILE!, JSON.stringify(profile));
        printTopSelfTime(profile);
      }
      await page.close();
    }
    return { navigation, keystroke, domRows };
  } finally {
    await browser.close();
  }
}
