// Real-browser test of scorch's SVG: Debian's chromium driven by playwright-core. Renders a
// folded profile with the real `scorch render`, opens the SVG as a file, clicks a frame, checks
// the zoom, resets with Escape, searches through ?s= and Ctrl-F, reopens a zoom from the URL,
// follows the system's dark mode, works from the keyboard (Tab, arrows, Enter, Escape),
// and fails on any page or console error.
//   node flame.test.js SCORCH FOLDED
"use strict";
const { execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const [scorch, folded] = process.argv.slice(2);
const { check, done, launch, newPage, run } = require("./check.js");

// expected search results, computed from the folded text (not from the SVG): the share of
// samples whose stack has a frame matching the regex, each sample counted once
function expectedMatch(re) {
	let total = 0, hit = 0;
	for (const line of fs.readFileSync(folded, "utf8").split("\n")) {
		const m = /^(.*) (\d+)$/.exec(line);
		if (!m) continue;
		const n = Number(m[2]);
		total += n;
		const names = m[1].split(";").map((f) => f.replace(/_\[[kwij]\]$/, ""));
		if (names.some((f) => re.test(f))) hit += n;
	}
	const pct = 100 * hit / total;
	return "Matched: " + (pct === 100 ? "100" : pct.toFixed(1)) + "%";
}

run(async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scorch-browser-"));
	const svgPath = path.join(dir, "graph.svg");
	execFileSync(scorch, ["render", folded, "-o", svgPath]);
	const url = "file://" + svgPath;
	const browser = await launch();
	const errors = [];
	const page = await newPage(browser, { width: 1300, height: 1400 }, errors);

	await page.goto(url);
	const info = await page.evaluate(() => {
		const gs = document.getElementById("frames").children;
		const W = parseFloat(document.documentElement.getAttribute("width"));
		const fr = [];
		for (let i = 0; i < gs.length; i++) {
			const r = gs[i].children[1];
			fr.push({ x: +r.getAttribute("x"), w: +r.getAttribute("width"), y: +r.getAttribute("y"),
				  title: gs[i].firstChild.textContent });
		}
		return { W, fr };
	});
	const { W, fr } = info;
	const xpad = 10, full = W - 2 * xpad;
	check(fr.length > 20, "frames found: " + fr.length);

	// a frame with children, narrower than half the width, not at the left edge
	const y0 = fr[0].y;
	let target = -1;
	for (let i = 1; i < fr.length - 1; i++) {
		if (fr[i].w < full / 2 && fr[i].w > 20 && fr[i + 1].y < fr[i].y && fr[i].x > xpad + 1) {
			target = i;
			break;
		}
	}
	check(target > 0, "a frame to click");
	// an unrelated frame: same row, not overlapping
	const other = fr.findIndex((f, i) => i !== target && f.y === fr[target].y &&
		(f.x + f.w <= fr[target].x || f.x >= fr[target].x + fr[target].w));
	const child = target + 1;
	const box = await page.locator("#frames > g").nth(target).locator("rect").boundingBox();
	await page.mouse.click(box.x + 2, box.y + box.height / 2);
	const z = await page.evaluate(([t, o, c]) => {
		const gs = document.getElementById("frames").children;
		const r = gs[t].children[1];
		return { x: +r.getAttribute("x"), w: +r.getAttribute("width"),
			 otherDisplay: o >= 0 ? getComputedStyle(gs[o]).display : "none",
			 rootClass: gs[0].getAttribute("class"), rootDisplay: getComputedStyle(gs[0]).display,
			 childW: +gs[c].children[1].getAttribute("width"),
			 unzoomHidden: document.getElementById("unzoom").classList.contains("hide"),
			 search: location.search };
	}, [target, other, child]);
	check(Math.abs(z.x - xpad) < 0.11 && Math.abs(z.w - full) < 0.11, `zoomed frame fills the width: x=${z.x} w=${z.w}`);
	check(other < 0 || z.otherDisplay === "none", "a frame outside the subtree is hidden: " + z.otherDisplay);
	check(z.rootDisplay !== "none" && /parent/.test(z.rootClass || ""), "ancestors stay, dimmed");
	check(Math.abs(z.childW - fr[child].w * full / fr[target].w) < 0.2, `child rescaled: ${z.childW}`);
	check(!z.unzoomHidden, "Reset Zoom shown");
	check(z.search === "?z=" + target, "zoom in the URL: " + z.search);
	const label = await page.evaluate((t) => {
		const tx = document.getElementById("frames").children[t].children[2];
		return tx ? tx.textContent : "";
	}, target);
	const name = fr[target].title.substring(0, fr[target].title.lastIndexOf(" ("));
	check(label === name || (label.endsWith("..") && name.startsWith(label.slice(0, -2))), `label refitted: ${label}`);

	await page.keyboard.press("Escape");
	const back = await page.evaluate((t) => {
		const gs = document.getElementById("frames").children, r = gs[t].children[1];
		return { x: +r.getAttribute("x"), w: +r.getAttribute("width"), search: location.search,
			 zoomed: document.getElementById("frames").classList.contains("zoomed") };
	}, target);
	check(Math.abs(back.x - fr[target].x) < 0.11 && Math.abs(back.w - fr[target].w) < 0.11 && !back.zoomed,
	      `Escape restores: ${JSON.stringify(back)}`);
	check(back.search === "", "URL cleared after reset: " + back.search);

	// search through the URL
	const regex = "^java/";
	await page.goto(url + "?s=" + encodeURIComponent(regex));
	const s1 = await page.evaluate(() => ({
		matched: document.getElementById("matched").textContent,
		pink: [...document.querySelectorAll("#frames rect")].filter((r) => r.getAttribute("fill") === "#e600e6").length,
	}));
	const wantPink = fr.filter((f, i) => i > 0 && new RegExp(regex).test(f.title.substring(0, f.title.lastIndexOf(" (")))).length;
	check(s1.matched === expectedMatch(new RegExp(regex)), `?s= matched: ${s1.matched} want ${expectedMatch(new RegExp(regex))}`);
	check(s1.pink === wantPink && wantPink > 0, `highlighted ${s1.pink}, want ${wantPink}`);

	// search through Ctrl-F and the prompt
	await page.goto(url);
	const regex2 = "read|write";
	page.once("dialog", (d) => d.accept(regex2));
	await page.keyboard.press("Control+f");
	await page.waitForFunction(() => document.getElementById("matched").textContent.startsWith("Matched"));
	const s2 = await page.evaluate(() => ({ matched: document.getElementById("matched").textContent, search: location.search }));
	check(s2.matched === expectedMatch(new RegExp(regex2)), `Ctrl-F matched: ${s2.matched} want ${expectedMatch(new RegExp(regex2))}`);
	check(s2.search === "?s=" + encodeURIComponent(regex2), "search in the URL: " + s2.search);

	// a link reopens the zoom
	await page.goto(url + "?z=" + target);
	const r3 = await page.evaluate((t) => {
		const r = document.getElementById("frames").children[t].children[1];
		return { x: +r.getAttribute("x"), w: +r.getAttribute("width") };
	}, target);
	check(Math.abs(r3.x - xpad) < 0.11 && Math.abs(r3.w - full) < 0.11, "?z= reopens the zoom");

	// hover shows the details line
	const box2 = await page.locator("#frames > g").nth(target).locator("rect").boundingBox();
	await page.mouse.move(box2.x + 2, box2.y + box2.height / 2);
	const det = await page.evaluate(() => document.getElementById("details").textContent);
	check(det === "Function: " + fr_title(), "details line: " + det);
	function fr_title() { return fr[target].title; }

	// dark mode follows the system (prefers-color-scheme): a dark background, light text
	// around the graph, the frames' own colours and dark labels kept
	const look = () => page.evaluate(() => {
		const cs = (el) => getComputedStyle(el).fill;
		return { bg: cs(document.getElementById("background")),
			 title: cs(document.getElementById("title")),
			 frame: cs(document.querySelector("#frames > g > rect")),
			 label: cs(document.querySelector("#frames > g > text") || document.body) };
	});
	const light = await look();
	await page.emulateMedia({ colorScheme: "dark" });
	const dark = await look();
	check(light.bg.startsWith("url(") && dark.bg === "rgb(28, 28, 33)", `dark background: ${light.bg} -> ${dark.bg}`);
	check(light.title === "rgb(0, 0, 0)" && dark.title === "rgb(230, 230, 230)", `dark title: ${light.title} -> ${dark.title}`);
	check(dark.frame === light.frame && dark.label === light.label, `frames unchanged: ${JSON.stringify([light, dark])}`);
	await page.emulateMedia({ colorScheme: "light" });
	// --theme forces the page's colours whatever the system says
	for (const [theme, scheme, want] of [["dark", "light", "rgb(28, 28, 33)"], ["light", "dark", "url("]]) {
		const p2 = path.join(dir, theme + ".svg");
		execFileSync(scorch, ["render", "--theme", theme, folded, "-o", p2]);
		await page.emulateMedia({ colorScheme: scheme });
		await page.goto("file://" + p2);
		const l2 = await look();
		check(l2.bg.startsWith(want), `--theme ${theme} under a ${scheme} system: ${l2.bg}`);
	}
	await page.emulateMedia({ colorScheme: "light" });

	// the keyboard: Tab reaches the controls, then the graph (its root frame); Up goes to the
	// first child (towards the leaves, drawn above), Right to its next sibling, Enter zooms
	// there, Escape resets with the focus kept; the details line reads the focused frame
	await page.goto(url);
	const tabStops = [];
	for (let k = 0; k < 6; k++) {
		await page.keyboard.press("Tab");
		const a = await page.evaluate(() => {
			const el = document.activeElement;
			return el.id || (el.parentNode && el.parentNode.id === "frames" ? "frame:" + el.firstChild.textContent : el.tagName);
		});
		tabStops.push(a);
		if (a.startsWith("frame:"))
			break;
	}
	check(tabStops.includes("search") && tabStops.includes("ignorecase"), "Tab reaches Search and ic: " + tabStops);
	const rootTitle = fr[0].title;
	check(tabStops[tabStops.length - 1] === "frame:" + rootTitle, "then the root frame: " + tabStops);
	const kb = async (key) => {
		await page.keyboard.press(key);
		return page.evaluate(() => {
			const st = window.scorch.state();
			return { focused: st.focused, zoomed: st.zoomed, title: document.activeElement.firstChild.textContent,
				 details: document.getElementById("details").textContent };
		});
	};
	// expected moves, from the geometry read above: the first child of the root is frame 1;
	// its next sibling is the next frame on the same row after frame 1's subtree
	const sib = fr.findIndex((f, i) => i > 1 && f.y === fr[1].y);
	let k1 = await kb("ArrowUp");
	check(k1.focused === 1 && k1.title === fr[1].title && k1.details === "Function: " + fr[1].title, "ArrowUp: first child: " + JSON.stringify(k1));
	if (sib > 0) {
		k1 = await kb("ArrowRight");
		check(k1.focused === sib && k1.title === fr[sib].title, `ArrowRight: sibling ${sib}: ` + JSON.stringify(k1));
		k1 = await kb("ArrowLeft");
		check(k1.focused === 1, "ArrowLeft: back: " + JSON.stringify(k1));
	}
	k1 = await kb("Enter");
	check(k1.zoomed === 1 && k1.focused === 1, "Enter zooms the focused frame: " + JSON.stringify(k1));
	const zw = await page.evaluate(() => +document.querySelector("#frames > g:nth-child(2) > rect").getAttribute("width"));
	check(Math.abs(zw - full) < 0.11, "zoomed to the full width: " + zw);
	k1 = await kb("Escape");
	check(k1.zoomed === -1 && k1.focused === 1 && k1.title === fr[1].title, "Escape resets, focus kept: " + JSON.stringify(k1));
	k1 = await kb("ArrowDown");
	check(k1.focused === 0, "ArrowDown: back to the root: " + JSON.stringify(k1));
	// the controls work from the keyboard: Enter on ic toggles it
	await page.focus("#ignorecase");
	await page.keyboard.press("Enter");
	check(await page.evaluate(() => document.getElementById("ignorecase").classList.contains("show")), "Enter on ic");
	// and they can be seen: not faint (the old 0.1 opacity)
	const op = await page.evaluate(() => +getComputedStyle(document.getElementById("search")).opacity);
	check(op === 1, "Search is drawn fully: opacity " + op);

	check(errors.length === 0, "no page errors: " + errors.join("; "));
	await browser.close();
	fs.rmSync(dir, { recursive: true, force: true });
	done();
});
