// speedscope reads scorch's files: three profiles written by scorch (collapse of FlameGraph's
// java and vertx stacks, and a diff) are loaded into speedscope's own offline page in Debian's
// chromium (playwright-core), and its Sandwich table (sorted by Total) must show, for every
// row it draws, the totals computed from the folded text: Total = samples whose stack holds
// the frame (once per stack), Self = samples where it is the leaf. Any page error fails.
//   node speedscope.test.js SCORCH PERF_RESULTS_DIR
"use strict";
const { execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const [scorch, results] = process.argv.slice(2);
const { check, done, launch, newPage, run } = require("./check.js");

// per frame name: inclusive (once per stack) and self totals of folded text; the last
// column is the weight (a diff's AFTER)
function expected(foldedText) {
	const total = new Map(), self = new Map();
	let all = 0;
	for (const line of foldedText.split("\n")) {
		const m = /^(.*?) (?:\d+ )?(\d+)$/.exec(line);
		if (!m || Number(m[2]) === 0) continue;
		const n = Number(m[2]), names = m[1].split(";");
		all += n;
		/* keyed as the page shows a name: innerText trims it (a frame named " ") */
		for (const f of new Set(names.map((x) => x.trim()))) total.set(f, (total.get(f) || 0) + n);
		const leaf = names[names.length - 1].trim();
		self.set(leaf, (self.get(leaf) || 0) + n);
	}
	return { total, self, all };
}

run(async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scorch-speedscope-"));
	const java1 = path.join(results, "perf-java-stacks-01-collapsed-all.txt");
	const java2 = path.join(results, "perf-java-stacks-02-collapsed-all.txt");
	const vertx = path.join(results, "perf-vertx-stacks-01-collapsed-all.txt");
	const cases = [
		{ name: "java", make: ["collapse", java1], fold: ["collapse", java1] },
		{ name: "vertx", make: ["collapse", vertx], fold: ["collapse", vertx] },
		{ name: "diff", make: ["diff", java1, java2], fold: ["diff", "--folded", java1, java2] },
	];
	const browser = await launch();
	const index = "file://" + path.join(__dirname, "node_modules/speedscope/dist/release/index.html");
	for (const c of cases) {
		const file = path.join(dir, c.name + ".speedscope.json");
		execFileSync(scorch, [...c.make, "-o", file]);
		const want = expected(execFileSync(scorch, c.fold, { encoding: "utf8" }));
		const errors = [];
		const page = await newPage(browser, { width: 1400, height: 2400 }, errors);
		await page.goto(index);
		await page.setInputFiles("input[type=file]", file);
		await page.waitForFunction(() => document.body.innerText.includes("Sandwich"));
		await page.keyboard.press("3");	/* the Sandwich view */
		await page.waitForFunction(() => document.body.innerText.includes("Symbol Name"));
		await page.getByText("Total", { exact: true }).click();	/* sort by Total */
		await page.waitForTimeout(300);
		const text = await page.evaluate(() => document.body.innerText);
		const table = text.slice(text.indexOf("Symbol Name") + "Symbol Name".length);
		const rows = [];
		/* each row: TOTAL (P%) <LF><TAB> SELF (P%) <LF><TAB> NAME (maybe empty) */
		const re = /(\d+) \([\d.<]+%\)\n\t(\d+) \([\d.<]+%\)\n\t([^\n]*)/g;
		let m;
		while ((m = re.exec(table)))
			rows.push({ total: Number(m[1]), self: Number(m[2]), name: m[3] });
		check(rows.length >= 20, `${c.name}: ${rows.length} sandwich rows drawn, want 20 or more`);
		const top = Math.max(...want.total.values());
		check(rows.length && rows[0].total === top,
		      `${c.name}: top row total ${rows.length && rows[0].total}, folded ${top}`);
		let bad = 0;
		for (const r of rows) {
			const t = want.total.get(r.name) || 0, s = want.self.get(r.name) || 0;
			if (r.total !== t || r.self !== s) {
				if (bad++ < 3)
					console.log(`  ${c.name}: ${r.name}: speedscope ${r.total}/${r.self}, folded ${t}/${s}`);
			}
		}
		check(bad === 0, `${c.name}: ${bad} of ${rows.length} rows differ from the folded totals`);
		for (let i = 1; i < rows.length; i++)
			if (rows[i].total > rows[i - 1].total) {
				check(false, `${c.name}: not sorted by Total at row ${i}`);
				break;
			}
		check(errors.length === 0, `${c.name}: page errors: ${errors.join("; ")}`);
		console.log(`${c.name}: ${rows.length} rows checked, total ${want.all}`);
		await page.close();
	}
	await browser.close();
	fs.rmSync(dir, { recursive: true, force: true });
	done();
});
