// Zoom benchmark: time to load, and time per zoom click (click -> handler -> style, layout
// and paint of the next frame), for scorch's SVG and flamegraph.pl's SVG of the same profile,
// in the same headless Chromium run; then a search, twice (scorch's first search decodes the
// frames too narrow to draw, which its Matched counts). Uses tests/browser's playwright-core.
//   node bench/zoom/run.js SCORCH.svg FLAMEGRAPH.svg [CLICKS [REGEX]]   (SCORCH.svg may be --compact)
"use strict";
const { chromium } = require("../../tests/browser/node_modules/playwright-core");
const [a, b, clicksArg] = process.argv.slice(2);
const clicks = Number(clicksArg || 5), regex = process.argv[5] || "tcp";

async function measure(browser, file) {
	const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
	const t0 = Date.now();
	await page.goto("file://" + require("path").resolve(file), { waitUntil: "load" });
	await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
	const load = Date.now() - t0;
	// the widest frames at depth 2..4, found by title so both files zoom the same frames
	const titles = await page.evaluate((n) => {
		const gs = [...document.querySelectorAll("#frames > g, #frames > a")];
		// a --compact file has no <title>s: its script makes them
		const tt = (g, i) => g.querySelector("title") ? g.querySelector("title").textContent : window.scorch.title(i);
		const f = gs.map((g, i) => ({ t: tt(g, i),
			w: +g.querySelector("rect").getAttribute("width"), y: +g.querySelector("rect").getAttribute("y") }));
		const ys = [...new Set(f.map((x) => x.y))].sort((p, q) => q - p);
		return f.filter((x) => x.y === ys[2] || x.y === ys[3]).sort((p, q) => q.w - p.w).slice(0, n).map((x) => x.t);
	}, clicks);
	const times = [];
	for (const t of titles) {
		const ms = await page.evaluate((title) => new Promise((resolve) => {
			const gs = [...document.querySelectorAll("#frames > g, #frames > a")];
			const tt = (x, i) => x.querySelector("title") ? x.querySelector("title").textContent : window.scorch.title(i);
			const g = gs.find((x, i) => tt(x, i) === title);
			const start = performance.now();
			g.dispatchEvent(new MouseEvent("click", { bubbles: true }));
			requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - start)));
		}), t);
		times.push(ms);
	}
	// search: scorch's window.scorch.search, flamegraph.pl's global search()
	const searches = [];
	for (let k = 0; k < 2; k++) {
		searches.push(await page.evaluate((re) => {
			const start = performance.now();
			if (window.scorch) window.scorch.search(re); else search(re);	// eslint-disable-line no-undef
			return [performance.now() - start, document.getElementById("matched").textContent];
		}, regex));
	}
	await page.close();
	const frames = titles.length;
	return { load, frames, mean: times.reduce((x, y) => x + y, 0) / times.length, times, searches };
}

(async () => {
	const browser = await chromium.launch({ executablePath: "/usr/bin/chromium",
		args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		       "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"] });
	const s = await measure(browser, a), p = await measure(browser, b);
	await browser.close();
	console.log(`scorch:        load ${s.load} ms, zoom ${s.mean.toFixed(0)} ms per click (${s.times.map((x) => x.toFixed(0)).join(", ")})`);
	console.log(`flamegraph.pl: load ${p.load} ms, zoom ${p.mean.toFixed(0)} ms per click (${p.times.map((x) => x.toFixed(0)).join(", ")})`);
	console.log(`zoom: scorch ${(p.mean / s.mean).toFixed(1)}x faster; load: ${(p.load / s.load).toFixed(2)}x`);
	for (const [who, r] of [["scorch", s], ["flamegraph.pl", p]])
		console.log(`search /${regex}/ ${who}: ${r.searches.map(([ms, m]) => ms.toFixed(0) + " ms (" + m + ")").join(", then ")}`);
})();
