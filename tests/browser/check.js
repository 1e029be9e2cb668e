// The browser tests' assertions: check() counts, done() prints the tally and exits with it.
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
module.exports = { check, done };
