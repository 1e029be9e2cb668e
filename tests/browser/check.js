// The browser tests' shared parts: check() counts assertions, done() prints the tally and
// exits with it; launch() starts Debian's chromium headless, newPage() opens a page that
// collects page and console errors; run() runs a test's body, failing on an exception.
"use strict";
let passed = 0, failed = 0;
function check(cond, what) {
	if (cond) passed++;
	else {
		failed++;
		console.log("FAIL: " + what);
	}
}
function done(extraFailures = 0) {
	console.log(`${passed} passed, ${failed + extraFailures} failed`);
	process.exit(failed + extraFailures ? 1 : 0);
}
function launch() {
	const { chromium } = require("playwright-core");
	return chromium.launch({
		executablePath: "/usr/bin/chromium",
		args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		       "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"],
	});
}
async function newPage(browser, viewport, errors) {
	const page = await browser.newPage({ viewport });
	page.on("pageerror", (e) => errors.push("pageerror: " + e.message));
	page.on("console", (m) => { if (m.type() === "error") errors.push("console: " + m.text()); });
	return page;
}
function run(body) {
	body().catch((e) => {
		console.log("FAIL: " + (e && e.stack || e));
		done(1);
	});
}
module.exports = { check, done, launch, newPage, run };
