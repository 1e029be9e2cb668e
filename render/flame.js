// scorch flame graph viewer: zoom, search and URL state for the SVG written by render/svg.c.
// Frames are <g><title/><rect/><text/></g> children of #frames, in preorder (a parent before
// its children), so a frame's subtree is a contiguous run. Zoom touches only the zoomed
// subtree and its ancestors: everything else is hidden by one class on #frames, which keeps
// clicks fast on profiles with 100k frames. No layout is read back from the DOM.
"use strict";
(function () {
	var C = scorchConf, doc = document, NS = "http://www.w3.org/2000/svg";
	var root = doc.documentElement, framesEl = doc.getElementById("frames");
	var detailsEl = doc.getElementById("details"), unzoomEl = doc.getElementById("unzoom");
	var searchEl = doc.getElementById("search"), icEl = doc.getElementById("ignorecase");
	var matchedEl = doc.getElementById("matched");
	var W = parseFloat(root.getAttribute("width")), xpad = C.xpad, full = W - 2 * xpad;
	var charW = C.fontsize * C.fontwidth;
	var gs = framesEl.children, n = gs.length;
	var X = new Float64Array(n), Wd = new Float64Array(n), Y = new Float64Array(n);
	var parent = new Int32Array(n), end = new Int32Array(n), depth = new Int32Array(n);
	var prevSib = new Int32Array(n).fill(-1), focused = -1;
	var names = null, counts = null, touched = [], zoomedAt = -1;
	var searchRe = null, searchFromLink = false, matched = [], ignoreCase = false;

	// one pass at load: geometry from attributes, tree structure from depth (rows)
	(function load() {
		var stack = [], y0 = n ? parseFloat(gs[0].children[1].getAttribute("y")) : 0;
		for (var i = 0; i < n; i++) {
			var g = gs[i], r = g.children[1];
			g.__i = i;
			X[i] = parseFloat(r.getAttribute("x"));
			Wd[i] = parseFloat(r.getAttribute("width"));
			Y[i] = parseFloat(r.getAttribute("y"));
			var d = Math.round(Math.abs(Y[i] - y0) / C.frameheight);
			depth[i] = d;
			while (stack.length && depth[stack[stack.length - 1]] >= d) {
				var k = stack.pop();
				end[k] = i;
				if (depth[k] === d)
					prevSib[i] = k;
			}
			parent[i] = stack.length ? stack[stack.length - 1] : -1;
			stack.push(i);
		}
		while (stack.length)
			end[stack.pop()] = n;
	})();

	function titleOf(i) {
		return gs[i].firstChild.textContent;
	}
	// names and counts are parsed from the titles only when first needed (search)
	function loadNames() {
		if (names)
			return;
		names = new Array(n);
		counts = new Float64Array(n);
		for (var i = 0; i < n; i++) {
			var t = titleOf(i), p = t.lastIndexOf(" (");
			names[i] = p < 0 ? t : t.substring(0, p);
			var m = /^ \(([\d,]+) /.exec(t.substring(p));
			counts[i] = m ? parseFloat(m[1].replace(/,/g, "")) : 0;
		}
	}
	function nameOf(i) {
		if (names)
			return names[i];
		var t = titleOf(i), p = t.lastIndexOf(" (");
		return p < 0 ? t : t.substring(0, p);
	}

	function label(i, width) {
		var chars = Math.floor(width / charW);
		if (chars < 3)
			return "";
		var s = parent[i] < 0 ? "all" : nameOf(i);
		if (s.length <= chars)
			return s;
		return s.substring(0, chars - 2) + "..";
	}
	// places frame i at x with width w and refits its label
	function place(i, x, w) {
		var g = gs[i], r = g.children[1], t = g.children[2];
		r.setAttribute("x", x.toFixed(1));
		r.setAttribute("width", w.toFixed(1));
		var s = label(i, w);
		if (!t && s) {
			t = doc.createElementNS(NS, "text");
			t.setAttribute("y", (Y[i] + (C.frameheight - 1) / 2 + 3).toFixed(1));
			g.appendChild(t);
		}
		if (t) {
			t.setAttribute("x", (x + 3).toFixed(1));
			if (t.textContent !== s)
				t.textContent = s;
		}
	}

	function unzoom(keepUrl) {
		for (var k = 0; k < touched.length; k++) {
			var i = touched[k];
			gs[i].classList.remove("z", "parent");
			place(i, X[i], Wd[i]);
		}
		touched = [];
		zoomedAt = -1;
		framesEl.classList.remove("zoomed");
		unzoomEl.classList.add("hide");
		if (!keepUrl)
			saveState();
	}
	function zoom(i) {
		if (zoomedAt >= 0)
			unzoom(true);
		if (parent[i] < 0) {	// the root: the full view
			saveState();
			return;
		}
		var scale = full / Wd[i], x0 = X[i];
		for (var p = parent[i]; p >= 0; p = parent[p]) {
			gs[p].classList.add("z", "parent");
			place(p, xpad, full);
			touched.push(p);
		}
		for (var j = i; j < end[i]; j++) {
			gs[j].classList.add("z");
			place(j, xpad + (X[j] - x0) * scale, Wd[j] * scale);
			touched.push(j);
		}
		zoomedAt = i;
		framesEl.classList.add("zoomed");
		unzoomEl.classList.remove("hide");
		saveState();
	}

	function clearSearch(keepUrl) {
		for (var k = 0; k < matched.length; k++) {
			var r = gs[matched[k]].children[1];
			r.setAttribute("fill", r.__fill);
		}
		matched = [];
		searchRe = null;
		searchEl.classList.remove("show");
		searchEl.textContent = "Search";
		matchedEl.textContent = " ";
		if (!keepUrl)
			saveState();
	}
	// A pattern from a link is run as a regular expression only when it cannot backtrack
	// without end: no quantified group holding a quantifier or an alternation, no back
	// references, at most two unbounded quantifiers. Anything else is searched as text.
	function safeRegex(p) {
		if (p.length > 512 || /\\[1-9]|\\k</.test(p))
			return false;
		var stack = [], unbounded = 0;
		for (var i = 0; i < p.length; i++) {
			var c = p.charAt(i);
			if (c === "\\") {
				i++;
			} else if (c === "[") {
				for (i++; i < p.length && p.charAt(i) !== "]"; i++)
					if (p.charAt(i) === "\\")
						i++;
			} else if (c === "(") {
				stack.push(false);
			} else if (c === ")") {
				var inner = stack.pop(), next = p.charAt(i + 1);
				if (inner && "*+?{".indexOf(next) >= 0)
					return false;
				if (inner && stack.length)
					stack[stack.length - 1] = true;
			} else if ("*+?{|".indexOf(c) >= 0) {
				if (c === "*" || c === "+" || c === "{")
					unbounded++;
				if (stack.length)
					stack[stack.length - 1] = true;
			}
		}
		return unbounded <= 2;
	}
	// fromLink: the pattern came from the URL, where anyone can write it
	function search(pattern, fromLink) {
		clearSearch(true);
		if (!pattern)
			return saveState();
		searchFromLink = fromLink;
		var re, asText = fromLink && !safeRegex(pattern);
		try {
			re = new RegExp(asText ? pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") : pattern,
					ignoreCase ? "i" : "");
		} catch (e) {
			matchedEl.textContent = "Bad regular expression";
			return;
		}
		loadNames();
		searchRe = pattern;
		var hit = new Uint8Array(n);
		// a time budget: a slow pattern stops and says so, the page stays usable
		var t0 = Date.now(), stopped = false;
		for (var i = 0; i < n; i++) {
			if ((i & 255) === 255 && Date.now() - t0 > 1000) {
				stopped = true;
				break;
			}
			if (parent[i] >= 0 && re.test(names[i])) {
				hit[i] = 1;
				var r = gs[i].children[1];
				r.__fill = r.getAttribute("fill");
				r.setAttribute("fill", "#e600e6");
				matched.push(i);
			}
		}
		// a match inside a match is counted once: skip the subtree of each counted frame
		var sum = 0;
		for (var j = 0; j < n;) {
			if (hit[j]) {
				sum += counts[j];
				j = end[j];
			} else {
				j++;
			}
		}
		var pct = 100 * sum / (C.total * C.factor);
		matchedEl.textContent = "Matched: " + (pct === 100 ? "100" : pct.toFixed(1)) + "%" +
			(asText ? " (as text)" : "") + (stopped ? " (stopped after 1 s)" : "");
		searchEl.classList.add("show");
		searchEl.textContent = "Reset Search";
		saveState();
	}
	function askSearch() {
		var p = prompt("Enter a search term (regexp allowed, eg: ^ext4_)" +
			       (ignoreCase ? ", ignoring case" : "") + "\nPress Ctrl-i to toggle case sensitivity", searchRe || "");
		if (p !== null)
			search(p);
	}

	// the view lives in the URL: ?z=FRAME&s=REGEX&i=1, beside the page's other parameters and
	// its fragment, which are kept as they are (signed artifact links carry theirs)
	function saveState() {
		var q = location.search.replace(/^\?/, "").split("&").filter(function (kv) {
			return kv && !/^(z|s|i)(=|$)/.test(kv);
		});
		if (zoomedAt >= 0)
			q.push("z=" + zoomedAt);
		if (searchRe)
			q.push("s=" + encodeURIComponent(searchRe));
		if (ignoreCase)
			q.push("i=1");
		try {
			history.replaceState(null, "", location.pathname + (q.length ? "?" + q.join("&") : "") +
					     location.hash);
		} catch (e) {
			// some viewers (file:// in some browsers, embedded <object>) refuse: the view
			// still works, only the link does not follow it
		}
	}
	function restoreState() {
		var q = {};
		location.search.replace(/^\?/, "").split("&").forEach(function (kv) {
			var p = kv.indexOf("=");
			if (p <= 0)
				return;
			try {
				q[kv.substring(0, p)] = decodeURIComponent(kv.substring(p + 1).replace(/\+/g, " "));
			} catch (e) {
				// a malformed escape spoils this parameter only
			}
		});
		if (q.i === "1") {
			ignoreCase = true;
			icEl.classList.add("show");
		}
		if (q.s)
			search(q.s, true);
		var z = parseInt(q.z, 10);
		if (z >= 0 && z < n)
			zoom(z);
	}

	function frameOf(target) {
		while (target && target.parentNode !== framesEl)
			target = target.parentNode;
		return target && target.__i !== undefined ? target.__i : -1;
	}
	framesEl.addEventListener("click", function (e) {
		var i = frameOf(e.target);
		if (i >= 0)
			zoom(i);
	});
	framesEl.addEventListener("mouseover", function (e) {
		var i = frameOf(e.target);
		if (i >= 0)
			detailsEl.textContent = C.nametype + " " + titleOf(i);
	});
	framesEl.addEventListener("mouseout", function () {
		detailsEl.textContent = " ";
	});
	unzoomEl.addEventListener("click", function () {
		unzoom();
	});
	searchEl.addEventListener("click", function () {
		if (searchRe)
			clearSearch();
		else
			askSearch();
	});
	icEl.addEventListener("click", function () {
		ignoreCase = !ignoreCase;
		icEl.classList.toggle("show", ignoreCase);
		if (searchRe)
			search(searchRe, searchFromLink);
		else
			saveState();
	});
	window.addEventListener("keydown", function (e) {
		if ((e.ctrlKey || e.metaKey) && (e.key === "f" || e.key === "F") || e.key === "F3") {
			e.preventDefault();
			askSearch();
		} else if ((e.ctrlKey || e.metaKey) && (e.key === "i" || e.key === "I")) {
			e.preventDefault();
			icEl.dispatchEvent(new Event("click"));
		} else if (e.key === "Escape") {
			if (zoomedAt >= 0) {
				unzoom();
				if (focused >= 0 && doc.activeElement === gs[focused])
					focusFrame(focused);
			} else if (searchRe) {
				clearSearch();
			}
		}
	});
	// Keyboard: the graph is one Tab stop (the frame last focused, the root at first); the
	// arrows move between neighbours (Left/Right: siblings; Up/Down: towards the leaves or the
	// root, as drawn), Enter or Space zooms, Escape resets. The focused frame's title is its
	// accessible name, and the details line (aria-live) reads it out.
	var leavesUp = n > 1 ? Y[1] < Y[0] : true;
	function shown(i) {
		return i >= 0 && i < n && (zoomedAt < 0 || gs[i].classList.contains("z"));
	}
	function focusFrame(i) {
		if (!shown(i))
			return;
		if (focused >= 0)
			gs[focused].setAttribute("tabindex", "-1");
		focused = i;
		gs[i].setAttribute("tabindex", "0");
		gs[i].focus();
		detailsEl.textContent = C.nametype + " " + titleOf(i);
	}
	if (n) {
		focused = 0;
		gs[0].setAttribute("tabindex", "0");
	}
	framesEl.addEventListener("focusin", function (e) {
		var i = frameOf(e.target);
		if (i >= 0 && i !== focused)
			focusFrame(i);
		else if (i >= 0)
			detailsEl.textContent = C.nametype + " " + titleOf(i);
	});
	framesEl.addEventListener("keydown", function (e) {
		var i = frameOf(e.target), j = -1;
		if (i < 0)
			return;
		var toLeaf = i + 1 < end[i] ? i + 1 : -1;
		if (e.key === "ArrowRight")
			j = end[i] < n && parent[end[i]] === parent[i] ? end[i] : -1;
		else if (e.key === "ArrowLeft")
			j = prevSib[i];
		else if (e.key === "ArrowUp")
			j = leavesUp ? toLeaf : parent[i];
		else if (e.key === "ArrowDown")
			j = leavesUp ? parent[i] : toLeaf;
		else if (e.key === "Enter" || e.key === " ") {
			e.preventDefault();
			zoom(i);
			focusFrame(i);
			return;
		} else {
			return;
		}
		e.preventDefault();
		focusFrame(j);
	});
	// the controls are buttons for the keyboard too
	[unzoomEl, searchEl, icEl].forEach(function (el) {
		el.addEventListener("keydown", function (e) {
			if (e.key === "Enter" || e.key === " ") {
				e.preventDefault();
				el.dispatchEvent(new Event("click"));
			}
		});
	});

	// for tests and tools: the state and actions, read-only in spirit
	window.scorch = { zoom: zoom, unzoom: unzoom, search: search, clearSearch: clearSearch,
		frames: n, state: function () { return { zoomed: zoomedAt, search: searchRe,
			matched: matched.length, focused: focused }; } };
	restoreState();
})();
