// Real-browser test of what the SVG keeps of frames too narrow to draw (render/treedata.c's
// scorchTree): a search's "Matched" counts them, in the default file and with --compact, with
// whole and fractional counts, a match inside a match counted once; the file's own inflate
// against node's zlib (every level and strategy); a damaged scorchTree leaves the page working
// with the drawn frames only.
//   node elided.test.js SCORCH
"use strict";
const { execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const zlib = require("zlib");
const { check, done, launch, newPage, run } = require("./check.js");

const [scorch] = process.argv.slice(2);

// the share of samples whose stack has a frame matching re, from the folded text
function expectedMatch(folded, re) {
	let total = 0, hit = 0;
	for (const line of fs.readFileSync(folded, "utf8").split("\n")) {
		const m = /^(.*) ([\d.]+)$/.exec(line);
		if (!m) continue;
		const n = Number(m[2]);
		total += n;
		if (m[1].split(";").some((f) => re.test(f))) hit += n;
	}
	const pct = 100 * hit / total;
	return "Matched: " + (pct === 100 ? "100" : pct.toFixed(1)) + "%";
}

run(async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scorch-elided-"));
	// 90% in one wide stack; 10,000 one-sample stacks, each 0.012 px wide at 1200 px: their
	// leaf_N frames (and deep_N below half of them) are pruned, their mid_N callers are drawn
	const lines = ["main;hot;work 90000"];
	for (let i = 0; i < 10000; i++)
		lines.push(`main;mid_${i % 40};leaf_${i}` + (i % 2 ? `;deep_${i % 3}` : "") + " 1");
	const whole = path.join(dir, "whole.folded"), frac = path.join(dir, "frac.folded");
	fs.writeFileSync(whole, lines.join("\n") + "\n");
	fs.writeFileSync(frac, lines.map((l) => l.replace(/ (\d+)$/, (m, n) => " " + n * 0.25)).join("\n") + "\n");

	const browser = await launch();
	const errors = [];
	const page = await newPage(browser, { width: 1300, height: 900 }, errors);
	const regexes = ["leaf_1", "deep_2", "mid_1|deep", "^leaf_\\d*7$", "work|leaf_3", "main", "^mid_3$|leaf_3"];
	for (const [folded, what, opts] of [[whole, "whole counts", []], [frac, "fractional counts", []],
					     [whole, "--factor 0.001", ["--factor", "0.001"]], [whole, "--factor 3", ["--factor", "3"]]]) {
		for (const flags of [[], ["--compact"]]) {
			const svg = path.join(dir, "g.svg");
			execFileSync(scorch, ["render", ...opts, ...flags, folded, "-o", svg]);
			const label = what + (flags.length ? " --compact" : "");
			await page.goto("file://" + svg);
			const drawn = await page.evaluate(() => {
				const n = window.scorch.frames, out = [];
				for (let i = 0; i < n; i++)
					out.push(window.scorch.title(i));
				return out;
			});
			check(drawn.length > 40 && drawn.length < 200 && !drawn.some((t) => t.startsWith("leaf_")) &&
			      drawn.filter((t) => t.startsWith("mid_")).length === 40,
			      `${label}: the mid_ frames drawn, no leaf_ frame (${drawn.length} frames)`);
			for (const re of regexes) {
				await page.goto("file://" + svg + "?s=" + encodeURIComponent(re));
				const got = await page.evaluate(() => document.getElementById("matched").textContent);
				const want = expectedMatch(folded, new RegExp(re));
				check(got === want, `${label}: /${re}/ ${got}, want ${want}`);
			}
		}
	}
	// the drawn-only count differs, so the checks above can fail: /leaf_1/ has no drawn frame
	check(expectedMatch(whole, /leaf_1/) !== "Matched: 0.0%", "leaf_1 matches pruned frames only");

	// names that start with U+FEFF (a byte-order mark to a careless decoder) sort first: the
	// name list keeps it, so --compact's tooltips equal the default's titles
	const bom = path.join(dir, "bom.folded");
	fs.writeFileSync(bom, "\ufeffa;\ufeffb 5\n\ufeffa;\ufeffc 3\n\ufeffa;\ufeffc\u00ff 2\n");
	const titles = [];
	for (const flags of [[], ["--compact"]]) {
		const svg = path.join(dir, "g.svg");
		execFileSync(scorch, ["render", ...flags, bom, "-o", svg]);
		await page.goto("file://" + svg);
		titles.push(await page.evaluate(() => {
			const out = [];
			for (let i = 0; i < window.scorch.frames; i++)
				out.push(window.scorch.title(i));
			return out;
		}));
	}
	check(titles[0].length === 5 && titles[0][1].startsWith("\ufeffa (") && JSON.stringify(titles[0]) === JSON.stringify(titles[1]),
	      "U+FEFF first: --compact's tooltips " + JSON.stringify(titles[1]) + " equal " + JSON.stringify(titles[0]));

	// the file's inflate against node's zlib
	const rnd = Buffer.alloc(200000);
	for (let i = 0, x = 12345; i < rnd.length; i++) {
		x = (x * 1103515245 + 12345) >>> 0;
		rnd[i] = (x >>> 16) & (i < 100000 ? 255 : 7);	// incompressible, then small symbols
	}
	const text = Buffer.from(fs.readFileSync(__filename, "utf8").repeat(20));
	const inputs = [["empty", Buffer.alloc(0)], ["random", rnd], ["text", text], ["one byte", Buffer.from("x")]];
	const S = zlib.constants;
	for (const [name, data] of inputs) {
		for (const level of [0, 1, 6, 9]) {
			for (const strategy of [S.Z_DEFAULT_STRATEGY, S.Z_FIXED, S.Z_HUFFMAN_ONLY, S.Z_RLE, S.Z_FILTERED]) {
				const z = zlib.deflateSync(data, { level, strategy });
				const back = await page.evaluate(([b64, size]) => {
					const bin = atob(b64), src = new Uint8Array(bin.length);
					for (let i = 0; i < bin.length; i++) src[i] = bin.charCodeAt(i);
					try {
						const out = window.scorch.inflate(src, size);
						let s = "";
						for (let i = 0; i < out.length; i += 8192)
							s += String.fromCharCode.apply(null, out.subarray(i, i + 8192));
						return btoa(s);
					} catch (e) {
						return "error: " + e.message;
					}
				}, [z.toString("base64"), data.length]);
				check(back === data.toString("base64"),
				      `inflate ${name} level ${level} strategy ${strategy}: ${back.slice(0, 40)}`);
			}
		}
	}
	// damaged input is refused, never read past
	const bad = await page.evaluate(([b64, size]) => {
		const bin = atob(b64), src = new Uint8Array(bin.length);
		for (let i = 0; i < bin.length; i++) src[i] = bin.charCodeAt(i);
		const res = [];
		for (const cut of [src.length - 4 - 3, 5, 2]) {
			try { window.scorch.inflate(src.subarray(0, cut), size); res.push("ok"); } catch (e) { res.push("refused"); }
		}
		try { window.scorch.inflate(src, size - 1); res.push("ok"); } catch (e) { res.push("refused"); }
		return res;
	}, [zlib.deflateSync(text).toString("base64"), text.length]);
	check(bad.every((r) => r === "refused"), "truncated or longer than said: refused: " + bad);

	// a damaged scorchTree in a default file: the page works, Matched counts the drawn frames
	const svg = path.join(dir, "g.svg");
	execFileSync(scorch, ["render", whole, "-o", svg]);
	fs.writeFileSync(svg, fs.readFileSync(svg, "utf8").replace(/(var scorchTree=\[\d+,")(.{40})/, (m, a, b) => a + "AAAA" + b.slice(4)));
	const warnings = [];
	page.on("console", (m) => { if (m.type() === "warning") warnings.push(m.text()); });
	await page.goto("file://" + svg + "?s=" + encodeURIComponent("work"));
	const got = await page.evaluate(() => document.getElementById("matched").textContent);
	check(got === "Matched: 90.0%", "damaged scorchTree: drawn frames still searched: " + got);
	check(warnings.some((w) => w.includes("too narrow to draw")), "damaged scorchTree: a warning: " + warnings);

	check(errors.length === 0, "no page errors: " + errors.join("; "));
	await browser.close();
	fs.rmSync(dir, { recursive: true, force: true });
	done();
});
