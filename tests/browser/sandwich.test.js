// Real-browser test of the SVG's callers/callees (sandwich) view and function table, in
// Debian's chromium: on a profile where f is called from a and b, Ctrl-click on f shows its
// callers a and b with their shares above it and its callee g below, totals and self in the
// header; a click moves to another function; Escape comes back; ?fn= reopens it; the table
// lists every function with self and total shares, sorts by a header, filters, and opens
// the sandwich of a row; the keyboard's S opens it on a focused frame. No page errors.
//   node sandwich.test.js SCORCH
"use strict";
const { execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { check, done, launch, newPage, run } = require("./check.js");

const [scorch] = process.argv.slice(2);

run(async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scorch-sandwich-"));
	const folded = path.join(dir, "p.folded"), svgPath = path.join(dir, "p.svg");
	fs.writeFileSync(folded, "main;a;f;g 30\nmain;a;f 10\nmain;b;f 20\nmain;b;h 40\n");
	execFileSync(scorch, ["render", folded, "-o", svgPath]);
	const url = "file://" + svgPath;
	const browser = await launch();
	const errors = [];
	const page = await newPage(browser, { width: 1300, height: 900 }, errors);
	await page.goto(url);
	const W = await page.evaluate(() => parseFloat(document.documentElement.getAttribute("width")));
	const full = W - 20;

	// the sandwich frames: title, geometry
	const panel = () => page.evaluate(() => {
		const out = [];
		for (const g of document.querySelectorAll("#sandwich > g.sw")) {
			const r = g.querySelector("rect");
			out.push({ title: g.querySelector("title").textContent, x: +r.getAttribute("x"),
				   y: +r.getAttribute("y"), w: +r.getAttribute("width") });
		}
		const h = document.getElementById("swhead");
		return { frames: out, head: h ? h.textContent : null, state: window.scorch.state(),
			 framesHidden: document.getElementById("frames").classList.contains("hide"),
			 height: document.documentElement.getAttribute("height") };
	});
	const near = (a, b) => Math.abs(a - b) < 0.2;

	// Ctrl-click the first f (under a)
	const fIndex = await page.evaluate(() => {
		const gs = document.getElementById("frames").children;
		for (let i = 0; i < gs.length; i++)
			if (gs[i].firstChild.textContent.startsWith("f (")) return i;
		return -1;
	});
	check(fIndex > 0, "an f frame");
	const H0 = await page.evaluate(() => document.documentElement.getAttribute("height"));
	await page.locator("#frames > g").nth(fIndex).locator("rect").click({ modifiers: ["Control"] });
	let s = await panel();
	check(s.state.panel === "f" && s.framesHidden, "Ctrl-click opens f's sandwich: " + JSON.stringify(s.state));
	check(/total 60\.00% \(60 samples\), self 30\.00%/.test(s.head), "header: " + s.head);
	const byTitle = (t) => s.frames.filter((f) => f.title === t);
	const fs2 = byTitle("f (60 samples, 60.00%)");
	check(fs2.length === 2 && fs2.every((f) => near(f.w, full)), "f twice, full width: " + JSON.stringify(fs2));
	const [fUp, fDown] = fs2.sort((p, q) => p.y - q.y);
	const a = byTitle("a (40 samples, 40.00%)"), b = byTitle("b (20 samples, 20.00%)");
	check(a.length === 1 && b.length === 1, "callers a and b: " + JSON.stringify(s.frames.map((f) => f.title)));
	if (a.length && b.length) {
		check(near(a[0].y, fUp.y - 16) && near(b[0].y, fUp.y - 16), "callers on the row above f");
		check(near(a[0].w, full * 40 / 60) && near(b[0].w, full * 20 / 60), `caller shares: a ${a[0].w}, b ${b[0].w}`);
	}
	const mains = s.frames.filter((f) => f.title.startsWith("main ("));
	check(mains.length === 2 && mains.every((m) => near(m.y, fUp.y - 32)), "main above each caller: " + JSON.stringify(mains));
	const g = byTitle("g (30 samples, 30.00%)");
	check(g.length === 1 && near(g[0].y, fDown.y + 16) && near(g[0].w, full / 2), "callee g below f: " + JSON.stringify(g));
	check(!s.frames.some((f) => f.title.startsWith("h (")), "h is neither caller nor callee");
	check(await page.evaluate(() => location.search.includes("fn=f")), "the URL keeps the view");
	check(+s.height >= +H0, "the page grew to fit: " + s.height);

	// a click on a moves there: callers main, callees f then g
	const aBox = await page.locator("#sandwich > g.sw", { hasText: "a (40" }).first().locator("rect").boundingBox();
	await page.mouse.click(aBox.x + 5, aBox.y + 5);
	s = await panel();
	check(s.state.panel === "a" && byTitle("f (40 samples, 40.00%)").length === 1 &&
	      byTitle("g (30 samples, 30.00%)").length === 1 && byTitle("main (40 samples, 40.00%)").length === 1,
	      "a's sandwich: " + JSON.stringify(s.frames.map((f) => f.title)));

	// Escape: back to the graph, as it was
	await page.keyboard.press("Escape");
	s = await panel();
	check(s.state.panel === null && !s.framesHidden && s.height === H0 && s.frames.length === 0, "Escape comes back: " + JSON.stringify(s));

	// ?fn=b from a link, beside a parameter of the page's own (kept)
	await page.goto(url + "?t=token&fn=b");
	s = await panel();
	check(s.state.panel === "b" && byTitle("f (20 samples, 20.00%)").length === 1 && byTitle("h (40 samples, 40.00%)").length === 1,
	      "?fn=b: " + JSON.stringify(s.frames.map((f) => f.title)));
	check(await page.evaluate(() => location.search.includes("t=token")), "the page's own t= is kept");
	// a stack thousands of frames deep: the views walk it without recursion
	const deep = path.join(dir, "deep.folded"), deepSvg = path.join(dir, "deep.svg");
	fs.writeFileSync(deep, Array.from({ length: 6000 }, (_, i) => "d" + i).join(";") + " 5\nother 5\n");
	execFileSync(scorch, ["render", "--minwidth", "0", deep, "-o", deepSvg]);
	await page.goto("file://" + deepSvg + "?fn=d5999");
	s = await panel();
	check(s.state.panel === "d5999" && s.frames.length === 6001, "a 6,000-deep caller chain: " + s.frames.length + " frames");
	await page.goto("file://" + deepSvg + "?fn=d0");
	s = await panel();
	check(s.state.panel === "d0" && s.frames.length === 6001, "a 6,000-deep callee chain: " + s.frames.length);
	await page.goto(url + "?fn=%3Cimg%20src%3Dx%3E");	// an unknown name: nothing happens
	s = await panel();
	check(s.state.panel === null && !s.framesHidden, "?fn= of an unknown name is ignored");

	// the function table
	await page.goto(url);
	await page.click("#funcs");
	const rows = () => page.evaluate(() => Array.from(document.querySelectorAll("#ftable tbody tr")).map(
		(tr) => Array.from(tr.children).map((td) => td.textContent).join("|")));
	let r = await rows();
	check(JSON.stringify(r) === JSON.stringify(["h|40.00|40.00", "f|30.00|60.00", "g|30.00|30.00",
		"a|0.00|40.00", "b|0.00|60.00", "main|0.00|100.00"]), "table by self: " + JSON.stringify(r));
	await page.click("#ftable th[data-key=total]");
	r = await rows();
	check(r.map((x) => x.split("|")[0]).join(",") === "main,b,f,a,h,g", "sorted by total: " + r);
	await page.click("#ftable th[data-key=total]");
	r = await rows();
	check(r.map((x) => x.split("|")[0]).join(",") === "g,a,h,b,f,main", "total ascending: " + r);
	await page.fill("#ftable input", "MA");
	r = await rows();
	check(r.length === 1 && r[0] === "main|0.00|100.00", "filter: " + r);
	await page.fill("#ftable input", "f");
	await page.click("#ftable tbody tr");
	s = await panel();
	check(s.state.panel === "f", "a row opens its sandwich");
	await page.keyboard.press("Escape");

	// the keyboard: Tab into the graph, Up to main, Up to a, S
	await page.goto(url);
	await page.focus("#frames > g");
	await page.keyboard.press("ArrowUp");
	await page.keyboard.press("ArrowUp");
	await page.keyboard.press("s");
	s = await panel();
	check(s.state.panel === "a", "S on a focused frame: " + JSON.stringify(s.state));

	// --factor 2: counts are the tooltips' (doubled once), shares unchanged
	const f2 = path.join(dir, "f2.svg");
	execFileSync(scorch, ["render", "--factor", "2", folded, "-o", f2]);
	await page.goto("file://" + f2 + "?fn=f");
	s = await panel();
	check(/total 60\.00% \(120 samples\), self 30\.00%/.test(s.head) && byTitle("f (120 samples, 60.00%)").length === 2,
	      "--factor 2: " + s.head + " " + JSON.stringify(s.frames.map((f) => f.title)));

	check(errors.length === 0, "no page errors: " + errors.join("; "));
	await browser.close();
	fs.rmSync(dir, { recursive: true, force: true });
	done();
});
