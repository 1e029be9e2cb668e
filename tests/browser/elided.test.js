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

// a function's self and total shares (%), from the folded text: total counts a stack once
function expectedStats(folded, name) {
	let total = 0, self = 0, all = 0, stacks = 0;
	for (const line of fs.readFileSync(folded, "utf8").split("\n")) {
		const m = /^(.*) ([\d.]+)$/.exec(line);
		if (!m) continue;
		const n = Number(m[2]), fr = m[1].split(";");
		all += n;
		if (fr.includes(name)) total += n, stacks++;
		if (fr[fr.length - 1] === name) self += n;
	}
	return { self: 100 * self / all, total: 100 * total / all, stacks: stacks };
}

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
	// a drawn mid_5 calls itself through frames too narrow to draw: counted once in its total
	for (let i = 0; i < 100; i++)
		lines.push(`main;mid_5;rec_${i};mid_5;hot 1`);
	lines.push("tiny_root;tiny_leaf 1");	// too narrow right under the root
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
			// the function table counts them too: a function drawn nowhere (deep_2, leaf_8),
			// one whose callees are all too narrow (mid_3: no self), one both drawn and not,
			// nested in itself (mid_5), one drawn and called from frames too narrow (hot), one
			// too narrow right under the root (tiny_root)
			await page.goto("file://" + svg);
			const table = await page.evaluate((names) => {
				window.scorch.functionTable();
				const input = document.querySelector("#ftable input"), out = {};
				// unfiltered: the first 1,000 of 10,000 and more, by self, descending
				const self = Array.from(document.querySelectorAll("#ftable tbody tr")).map(
					(tr) => [tr.children[0].textContent, +tr.children[1].textContent]);
				out["(top)"] = [self.length, self[0][0], self.every((r, i) => !i || r[1] <= self[i - 1][1]),
						 self.filter((r) => r[0].startsWith("leaf_")).length];
				for (const nm of names) {
					input.value = nm;
					input.dispatchEvent(new Event("input"));
					for (const tr of document.querySelectorAll("#ftable tbody tr")) {
						const td = Array.from(tr.children).map((x) => x.textContent);
						if (td[0] === nm) out[nm] = [+td[1], +td[2]];
					}
				}
				return out;
			}, ["main", "hot", "work", "mid_3", "mid_5", "leaf_7", "leaf_8", "deep_2", "rec_7", "tiny_root",
			    "tiny_leaf"]);
			const top = table["(top)"];
			delete table["(top)"];
			check(top[0] === 1000 && top[1] === "work" && top[2] && top[3] > 900,
			      `${label}: the table's first 1,000 rows by self: ${JSON.stringify(top)}`);
			for (const [nm, got] of Object.entries(table).concat([["(rows)", Object.keys(table).length]])) {
				if (nm === "(rows)") {
					check(got === 11, `${label}: the table has all 11 functions: ${JSON.stringify(table)}`);
					continue;
				}
				const want = expectedStats(folded, nm);
				check(Math.abs(got[0] - want.self) < 0.0051 && Math.abs(got[1] - want.total) < 0.0051,
				      `${label}: table ${nm} self/total ${got}, want ${want.self.toFixed(3)}/${want.total.toFixed(3)}`);
			}
			// the callers and callees of mid_3: its 250 leaf_ callees and their deep_ callees,
			// all too narrow in the graph, wide enough in the view
			const sw = await page.evaluate(() => {
				window.scorch.sandwich("mid_3");
				const t = Array.from(document.querySelectorAll("#sandwich > g.sw title")).map((x) => x.textContent);
				return { head: document.getElementById("swhead").textContent,
					 leaf: t.filter((x) => x.startsWith("leaf_")).length,
					 deep: t.filter((x) => x.startsWith("deep_")).length,
					 main: t.filter((x) => x.startsWith("main ")).length };
			});
			const m3 = expectedStats(folded, "mid_3");
			const m3deep = lines.filter((l) => l.includes(";mid_3;") && l.includes(";deep_")).length;
			check(sw.leaf === 250 && sw.deep === m3deep && m3deep > 100 && sw.main === 1 &&
			      sw.head.includes(`total ${m3.total.toFixed(2)}%`) && sw.head.endsWith("self 0.00%"),
			      `${label}: mid_3's callers and callees ${JSON.stringify(sw)}`);
			// deep_2, drawn nowhere: its callers, a leaf_ and a mid_ per stack
			const d2 = await page.evaluate(() => {
				window.scorch.sandwich("deep_2");
				const t = Array.from(document.querySelectorAll("#sandwich > g.sw title")).map((x) => x.textContent);
				return { head: document.getElementById("swhead").textContent, state: window.scorch.state().panel,
					 mid: t.filter((x) => x.startsWith("mid_")).length };
			});
			const w2 = expectedStats(folded, "deep_2");
			check(d2.state === "deep_2" && d2.mid === w2.stacks && d2.head.includes(`total ${w2.total.toFixed(2)}%`),
			      `${label}: deep_2's callers ${JSON.stringify(d2)} want total ${w2.total.toFixed(2)}`);
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
	check(got === expectedMatch(whole, /work/) && got === "Matched: 89.9%",
	      "damaged scorchTree: drawn frames still searched: " + got);
	check(warnings.some((w) => w.includes("too narrow to draw")), "damaged scorchTree: a warning: " + warnings);

	check(errors.length === 0, "no page errors: " + errors.join("; "));
	await browser.close();
	fs.rmSync(dir, { recursive: true, force: true });
	done();
});
