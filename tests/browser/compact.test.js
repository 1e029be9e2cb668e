// Real-browser test of `render --compact`: beside the default SVG of the same input, every
// frame's tooltip made by the script equals the default's <title>, geometry and labels are the
// same (so the graph reads the same with scripts off), zoom, search, hover tooltips, the
// function table and the callers/callees view agree, and the file has no <title> per frame.
// Inputs: a real Java profile, a differential one, and hostile names (non-ASCII, astral
// characters sharing prefixes, markup, CDATA ends, quotes).
//   node compact.test.js SCORCH JAVA_FOLDED DIFF_FOLDED
"use strict";
const { execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { check, done, launch, newPage, run } = require("./check.js");

const [scorch, java, diff] = process.argv.slice(2);

run(async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scorch-compact-"));
	const hostile = path.join(dir, "hostile.folded");
	fs.writeFileSync(hostile, [
		"main;caf\u00e9;na\u00efve 5", "main;\u{1F600}a;x 3", "main;\u{1F600}b;x 2", "main;\u{1F600};y 1",
		"main;<script>alert(1)</script> 4", "main;]]>end 2", "main;a\"b'c\\\\d 3", "main;\u00e9t\u00e9;\u00e9t\u00e9s 2",
		"main;std::vector<int>::push_back;std::vector<int>::reserve 7", "main;std::vector<long>::push_back 6",
	].join("\n") + "\n");
	const browser = await launch();
	const errors = [];
	const page = await newPage(browser, { width: 1300, height: 1400 }, errors);

	// tooltips, rectangles and labels as the page has them
	const read = () => page.evaluate(() => {
		const gs = document.getElementById("frames").children, out = [];
		for (let i = 0; i < gs.length; i++) {
			const r = gs[i].querySelector("rect"), t = gs[i].querySelector("text");
			out.push({ title: window.scorch.title(i), rect: ["x", "y", "width", "fill"].map((a) => r.getAttribute(a)).join(" "),
				   label: t ? t.textContent + "@" + t.getAttribute("x") + "," + t.getAttribute("y") : "" });
		}
		return out;
	});
	// percentages exactly halfway (1 of 800 samples: 0.125%): printf rounds them to even
	const ties = path.join(dir, "ties.folded");
	fs.writeFileSync(ties, Array.from({ length: 40 }, (_, i) => `main;t${i} ${i % 2 ? 1 : 3}`).join("\n") + "\nmain;rest 720\n");
	for (const [name, input] of [["java", java], ["diff", diff], ["hostile", hostile], ["ties", ties]]) {
		const a = path.join(dir, name + ".svg"), b = path.join(dir, name + "-compact.svg");
		execFileSync(scorch, ["render", input, "-o", a]);
		execFileSync(scorch, ["render", "--compact", input, "-o", b]);
		const text = fs.readFileSync(b, "utf8");
		check(!/<title>/.test(text), `${name}: no <title> in the compact file`);
		await page.goto("file://" + a);
		const want = await read();
		const wantSearch = await page.evaluate(() => { window.scorch.search("a"); return document.getElementById("matched").textContent; });
		await page.goto("file://" + b);
		const got = await read();
		check(want.length > 5 && got.length === want.length, `${name}: ${got.length} frames, want ${want.length}`);
		let bad = [];
		for (let i = 0; i < want.length; i++)
			for (const k of ["title", "rect", "label"])
				if (want[i][k] !== got[i][k]) bad.push(`${i} ${k}: ${JSON.stringify(got[i][k])} want ${JSON.stringify(want[i][k])}`);
		check(bad.length === 0, `${name}: tooltips, rectangles and labels as the default's: ` + bad.slice(0, 4).join("; "));
		const gotSearch = await page.evaluate(() => { window.scorch.search("a"); return document.getElementById("matched").textContent; });
		check(gotSearch === wantSearch && /^Matched/.test(gotSearch), `${name}: search: ${gotSearch} vs ${wantSearch}`);
		await page.evaluate(() => window.scorch.clearSearch());
		// hover makes the tooltip
		const k = Math.min(3, got.length - 1);
		const box = await page.locator("#frames > g").nth(k).locator("rect").boundingBox();
		await page.mouse.move(box.x + 1, box.y + 2);
		const tip = await page.evaluate((i) => {
			const t = document.getElementById("frames").children[i].querySelector("title");
			return t ? t.textContent : null;
		}, k);
		check(tip === want[k].title, `${name}: hover tooltip ${tip}`);
		// zoom: the same geometry as the default's
		await page.evaluate(() => window.scorch.zoom(1));
		const zc = await read();
		await page.goto("file://" + a);
		await page.evaluate(() => window.scorch.zoom(1));
		const zd = await read();
		check(JSON.stringify(zc.map((f) => f.rect + f.label)) === JSON.stringify(zd.map((f) => f.rect + f.label)), `${name}: zoom as the default's`);
		// the function table
		const table = async (u) => {
			await page.goto(u + "?tbl=1");
			return page.evaluate(() => Array.from(document.querySelectorAll("#ftable tbody tr")).map((tr) => tr.textContent));
		};
		const td = await table("file://" + a), tc = await table("file://" + b);
		check(td.length > 3 && JSON.stringify(td) === JSON.stringify(tc), `${name}: function table as the default's (${tc.length} rows)`);
		if (name === "hostile") {
			for (const t of ["<script>alert(1)</script> (4 ", "]]>end (2 ", "a\"b'c\\\\d (3 ", "na\u00efve (5 "])
				check(got.some((f) => f.title.startsWith(t)), "hostile name kept as text: " + t);
			check(await page.evaluate(() => !document.querySelector("#frames script, #frames img")), "no markup from names");
			check(got.some((f) => f.title.startsWith("\u{1F600}b (2 ")), "astral prefix decoded: " + got.map((f) => f.title).join(" | "));
		}
	}
	check(errors.length === 0, "no page errors: " + errors.join("; "));
	await browser.close();
	fs.rmSync(dir, { recursive: true, force: true });
	done();
});
