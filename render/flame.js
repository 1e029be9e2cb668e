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
	// --compact: a frame is <g><rect/><text/></g>, its name and count in scorchTree's name
	// list and frame data (tooltips are made here); else <g><title/><rect/><text/></g>
	var compact = !!C.compact, RI = compact ? 0 : 1, rects = new Array(n);
	var X = new Float64Array(n), Wd = new Float64Array(n), Y = new Float64Array(n);
	var parent = new Int32Array(n), end = new Int32Array(n), depth = new Int32Array(n);
	var prevSib = new Int32Array(n).fill(-1), focused = -1;
	var names = null, counts = null, touched = [], zoomedAt = -1;
	var searchRe = null, searchFromLink = false, matched = [], ignoreCase = false;

	// one pass at load: geometry from attributes, tree structure from depth (rows)
	(function load() {
		var stack = [], y0 = n ? parseFloat(gs[0].children[RI].getAttribute("y")) : 0;
		for (var i = 0; i < n; i++) {
			var g = gs[i], r = rects[i] = g.children[RI];
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

	// ---- scorchTree: the whole tree, frames too narrow to draw included (render/treedata.c):
	// the name list, each pruned frame's name and self count, and --compact's frame data ----
	// inflate (RFC 1950/1951) of a zlib stream into exactly size bytes; throws on bad input
	var LB = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99,
		  115, 131, 163, 195, 227, 258];
	var LE = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
	var DB = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025,
		  1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
	var DE = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12,
		  12, 13, 13];
	var CLO = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
	// a decoding table for canonical code lengths: indexed by the next max bits (first bit
	// lowest), entries symbol << 4 | length (0: no such code)
	function huffman(lens, from, num) {
		var max = 0, count = new Int32Array(16), next = new Int32Array(16), i;
		for (i = 0; i < num; i++) {
			count[lens[from + i]]++;
			max = Math.max(max, lens[from + i]);
		}
		count[0] = 0;
		for (var L = 1, code = 0, left = 1; L < 16; L++) {
			next[L] = code = (code + count[L - 1]) << 1;
			if ((left = left * 2 - count[L]) < 0)	// more codes than bits can tell apart
				throw new Error("over-subscribed code");
		}
		var t = new Int32Array(1 << max);
		for (i = 0; i < num; i++) {
			var len = lens[from + i];
			if (!len)
				continue;
			for (var c = next[len]++, r = 0, k = 0; k < len; k++, c >>= 1)
				r = (r << 1) | (c & 1);
			for (; r < t.length; r += 1 << len)
				t[r] = (i << 4) | len;
		}
		return { t: t, max: max };
	}
	function inflate(src, size) {
		var out = new Uint8Array(size), o = 0, p = 2, bb = 0, bc = 0, fixedL = null, fixedD;
		if (src.length < 2 || (src[0] & 15) !== 8 || ((src[0] << 8) | src[1]) % 31 || src[1] & 32)
			throw new Error("not a zlib stream");
		if (size > src.length * 1032 + 1024)	// deflate expands at most 1032:1
			throw new Error("says more than it holds");
		function bits(k) {
			while (bc < k) {
				if (p >= src.length)
					throw new Error("truncated");
				bb |= src[p++] << bc;
				bc += 8;
			}
			var v = bb & ((1 << k) - 1);
			bb >>>= k;
			bc -= k;
			return v;
		}
		function sym(h) {
			while (bc < h.max) {	// past the end: zeros, checked below
				bb |= (p < src.length ? src[p] : 0) << bc;
				p++;
				bc += 8;
			}
			var e = h.t[bb & ((1 << h.max) - 1)], l = e & 15;
			if (!l || p - (bc - l >> 3) > src.length)
				throw new Error("bad code");
			bb >>>= l;
			bc -= l;
			return e >> 4;
		}
		for (var last = 0; !last;) {
			last = bits(1);
			var type = bits(2), s, len, i;
			if (type === 0) {	// stored: from the next byte boundary
				bits(bc & 7);
				p -= bc >> 3;
				bb = bc = 0;
				if (p + 4 > src.length)
					throw new Error("truncated");
				len = src[p] | (src[p + 1] << 8);
				if ((len ^ (src[p + 2] | (src[p + 3] << 8))) !== 0xffff || p + 4 + len > src.length ||
				    o + len > size)
					throw new Error("bad stored block");
				out.set(src.subarray(p + 4, p + 4 + len), o);
				o += len;
				p += 4 + len;
				continue;
			}
			var lit, dist;
			if (type === 1) {
				if (!fixedL) {
					var fl = new Uint8Array(320);
					for (i = 0; i < 288; i++)
						fl[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
					fl.fill(5, 288);
					fixedL = huffman(fl, 0, 288);
					fixedD = huffman(fl, 288, 30);
				}
				lit = fixedL;
				dist = fixedD;
			} else if (type === 2) {
				var hlit = bits(5) + 257, hdist = bits(5) + 1, hclen = bits(4) + 4;
				var cl = new Uint8Array(19), lens = new Uint8Array(hlit + hdist);
				for (i = 0; i < hclen; i++)
					cl[CLO[i]] = bits(3);
				var ch = huffman(cl, 0, 19);
				for (i = 0; i < hlit + hdist;) {
					s = sym(ch);
					if (s < 16) {
						lens[i++] = s;
						continue;
					}
					var rep = s === 16 ? 3 + bits(2) : s === 17 ? 3 + bits(3) : 11 + bits(7);
					if ((s === 16 && !i) || i + rep > hlit + hdist)
						throw new Error("bad lengths");
					lens.fill(s === 16 ? lens[i - 1] : 0, i, i + rep);
					i += rep;
				}
				lit = huffman(lens, 0, hlit);
				dist = huffman(lens, hlit, hdist);
			} else {
				throw new Error("bad block");
			}
			for (;;) {
				s = sym(lit);
				if (s < 256) {
					if (o >= size)
						throw new Error("too long");
					out[o++] = s;
				} else if (s === 256) {
					break;
				} else {
					if ((s -= 257) >= 29)
						throw new Error("bad length");
					len = LB[s] + bits(LE[s]);
					var ds = sym(dist);
					if (ds >= 30)
						throw new Error("bad distance");
					var d = DB[ds] + bits(DE[ds]);
					if (d > o || o + len > size)
						throw new Error("bad match");
					for (var e = o + len; o < e; o++)
						out[o] = out[o - d];
				}
			}
		}
		if (o !== size)
			throw new Error("short");
		// the trailer: adler32 of the output, big-endian, at the next byte boundary
		p -= (bc - (bc & 7)) >> 3;
		if (p + 4 > src.length)
			throw new Error("truncated");
		var a = 1, b = 0;
		for (var i = 0; i < size;) {
			for (var e = Math.min(i + 5552, size); i < e; i++) {
				a += out[i];
				b += a;
			}
			a %= 65521;
			b %= 65521;
		}
		var want = ((src[p] << 24) | (src[p + 1] << 16) | (src[p + 2] << 8) | src[p + 3]) >>> 0;
		if ((((b << 16) | a) >>> 0) !== want)
			throw new Error("checksum");
		return out;
	}
	var tree = null;
	// the decoded scorchTree: names; the pruned frames in preorder (name, total width times
	// --factor, subtree end, and for each whose parent is drawn, that frame's index); for
	// fractional counts the drawn frames' exact widths (their tooltips round); --compact's
	// data. null when the file has none or it does not fit the frames drawn.
	function treeData() {
		if (tree !== null)
			return tree || null;
		tree = false;
		if (typeof scorchTree === "undefined")
			return null;
		try {
			var bin = atob(scorchTree[1]), src = new Uint8Array(bin.length);
			for (var i = 0; i < bin.length; i++)
				src[i] = bin.charCodeAt(i);
			var b = inflate(src, scorchTree[0]), p = 0;
			var uv = function () {
				for (var v = 0, m = 1, c = 128; c & 128; m *= 128) {
					if (p >= b.length)
						throw new Error("truncated");
					c = b[p++];
					v += (c & 127) * m;
				}
				return v;
			};
			if (b[p++] !== 1)
				throw new Error("version");
			var nn = uv(), tl = uv();
			var utf8 = new TextDecoder("utf-8", { ignoreBOM: true });	// a name may start with U+FEFF
			var rests = nn ? utf8.decode(b.subarray(p, p + tl)).split("\0") : [];
			p += tl;
			if (rests.length !== nn)
				throw new Error("names");
			var nm = new Array(nn), prev = "";
			for (i = 0; i < nn; i++)
				nm[i] = prev = prev.substring(0, uv()) + rests[i];
			var flags = uv(), nodes = uv(), codes = new Uint32Array(nodes), ne = 0;
			for (i = 0; i < nodes; i++) {
				codes[i] = uv();
				ne += codes[i] & 1;
			}
			var eName = new Uint32Array(ne), eTot = new Float64Array(ne);
			var eEnd = new Int32Array(ne), eAnchor = new Int32Array(ne).fill(-1);
			for (i = 0; i < ne; i++)
				if ((eName[i] = uv()) >= nn)
					throw new Error("name index");
			var dv = new DataView(b.buffer, b.byteOffset);
			for (i = 0; i < ne; i++) {
				if (flags & 1) {
					eTot[i] = dv.getFloat64(p, true);
					p += 8;
				} else {
					eTot[i] = uv();
				}
			}
			// the tree from depths: a stack of open frames (k >= 0 drawn, ~k pruned)
			var open = [0], od = [0], d = 0, drawn = 1, e = 0;
			var close = function (depth) {
				while (od.length && od[od.length - 1] >= depth) {
					var k = open.pop();
					od.pop();
					if (k < 0) {
						eEnd[~k] = e;
						if (open[open.length - 1] < 0)
							eTot[~open[open.length - 1]] += eTot[~k];
					}
				}
			};
			for (i = 0; i < nodes; i++) {
				d = d + 1 - (codes[i] >> 1);
				if (d < 1)
					throw new Error("depth");
				close(d);
				var up = open[open.length - 1];
				if (codes[i] & 1) {
					if (up >= 0)
						eAnchor[e] = up;
					open.push(~e++);
				} else {
					if (up < 0 || drawn >= n)
						throw new Error("drawn frame under a pruned one");
					open.push(drawn++);
				}
				od.push(d);
			}
			close(0);
			if (drawn !== n && n)
				throw new Error("frames");
			for (i = 0; i < ne; i++)
				eTot[i] *= C.factor;
			var drawnTot = null;
			if (flags & 1) {
				drawnTot = new Float64Array(n);
				for (i = 0; i < n; i++, p += 8)
					drawnTot[i] = dv.getFloat64(p, true) * C.factor;
			}
			var data = null;
			if (flags & 2) {
				var dl = uv();
				data = JSON.parse(utf8.decode(b.subarray(p, p + dl)));
			}
			tree = { names: nm, n: ne, name: eName, tot: eTot, end: eEnd, anchor: eAnchor, data: data,
				 drawnTot: drawnTot };
		} catch (err) {
			if (compact)
				throw err;
			console.warn("scorch: frames too narrow to draw are left out of searches: " + err.message);
		}
		return tree || null;
	}
	// --compact: the name list and each frame's name and count
	var stride = C.diff ? 3 : 2;
	function compactNames() {
		return treeData().names;
	}
	function frameData() {
		return treeData().data;
	}
	// printf("%.2f", x) for a finite x >= 0: toFixed rounds a tie (a value exactly halfway,
	// as 0.125) up where printf rounds it to even. x = m * 2^e is a tie when 200x is an odd
	// integer: when -e is 3 + the trailing zero bits of m.
	var f64 = new Float64Array(1), u32 = new Uint32Array(f64.buffer);
	function fixed2(x) {
		var s = x.toFixed(2);
		f64[0] = x;
		var lo = u32[0], hi = u32[1], ex = (hi >>> 20) & 0x7ff, tz = 0;
		if (!ex || ex === 0x7ff)
			return s;
		if (lo) {
			for (; !(lo & 1); lo >>>= 1)
				tz++;
		} else {
			tz = 32;
			for (var h = (hi & 0xfffff) | 0x100000; !(h & 1); h >>>= 1)
				tz++;
		}
		if (1075 - ex !== 3 + tz)
			return s;
		var k = Math.floor(x * 100);	// x * 100 = k + 0.5 exactly
		if (k % 2)
			k++;
		var t = String(k);
		while (t.length < 3)
			t = "0" + t;
		return t.slice(0, -2) + "." + t.slice(-2);
	}
	// A tooltip as render/frame.c writes it, for a count v as the tooltips print it (--factor
	// applied): every digit of the count with commas, the share as printf's %.2f, and for
	// differential input the change
	function countText(v) {
		v = Math.round(v);
		return (isFinite(v) ? BigInt(v).toString() : String(v)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
	}
	function pctOf(v) {
		return 100 * (v / (C.total * C.factor));
	}
	function describe(name, v, delta) {
		return name + " (" + countText(v) + " " + C.countname + ", " + fixed2(pctOf(v)) + "%" +
			(delta !== undefined ? "; " + delta + "%" : "") + ")";
	}
	function compactTitle(i) {
		var D = frameData(), idx = D[i * stride], v = D[i * stride + 1];
		if (idx < 0)
			return "all (" + countText(v) + " " + C.countname + ", 100%)";
		return describe(compactNames()[idx], v, C.diff ? D[i * stride + 2] : undefined);
	}
	function titleOf(i) {
		return compact ? compactTitle(i) : gs[i].firstChild.textContent;
	}
	// names and counts are parsed from the titles only when first needed (search)
	function loadNames() {
		if (names)
			return;
		if (compact) {
			var cn = compactNames(), D = frameData();
			names = new Array(n);
			counts = new Float64Array(n);
			for (var q = 0; q < n; q++) {
				var idx = D[q * stride];
				names[q] = idx < 0 ? "all" : cn[idx];
				counts[q] = D[q * stride + 1];
			}
			return;
		}
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
		if (names || compact) {
			loadNames();
			return names[i];
		}
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
		var g = gs[i], r = rects[i], t = r.nextElementSibling;
		if (t && t.nodeName !== "text")
			t = null;
		r.setAttribute("x", x.toFixed(1));
		r.setAttribute("width", w.toFixed(1));
		var s = label(i, w);
		if (!t && s) {
			t = doc.createElementNS(NS, "text");
			t.setAttribute("y", (Y[i] + (C.frameheight - 1) / 2 + 3).toFixed(1));
			g.insertBefore(t, r.nextSibling);
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
			var r = rects[matched[k]];
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
				var r = rects[i];
				r.__fill = r.getAttribute("fill");
				r.setAttribute("fill", "#e600e6");
				matched.push(i);
			}
		}
		// a match inside a match is counted once: skip the subtree of each counted frame
		var sum = 0, inHit = new Uint8Array(n), T = stopped ? null : treeData();
		var exact = T && T.drawnTot ? T.drawnTot : counts;	// fractional counts: not rounded
		for (var j = 0; j < n;) {
			if (hit[j]) {
				sum += exact[j];
				inHit.fill(1, j, end[j]);
				j = end[j];
			} else {
				j++;
			}
		}
		// and the frames too narrow to draw, under a drawn frame that did not match: each
		// distinct name tested once
		if (T) {
			var nameHit = new Uint8Array(T.names.length);
			for (var k = 0; k < T.names.length; k++) {
				if ((k & 255) === 255 && Date.now() - t0 > 1000) {
					stopped = true;
					break;
				}
				nameHit[k] = re.test(T.names[k]) ? 1 : 0;
			}
			for (var e = 0; e < T.n && !stopped;) {
				if (T.anchor[e] >= 0 && inHit[T.anchor[e]]) {
					e = T.end[e];
				} else if (nameHit[T.name[e]]) {
					sum += T.tot[e];
					e = T.end[e];
				} else {
					e++;
				}
			}
		}
		var pct = pctOf(sum);	// (100 * sum) / total may round below 100 when sum is total
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
			return kv && !/^(z|s|i|fn|tbl)(=|$)/.test(kv);
		});
		if (zoomedAt >= 0)
			q.push("z=" + zoomedAt);
		if (searchRe)
			q.push("s=" + encodeURIComponent(searchRe));
		if (ignoreCase)
			q.push("i=1");
		if (panelName)
			q.push("fn=" + encodeURIComponent(panelName));
		else if (panelName === "")
			q.push("tbl=1");
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
		if (q.fn !== undefined)
			sandwich(q.fn);	// a name from a link: only looked up, never run or parsed
		else if (q.tbl === "1")
			functionTable("");
	}

	function frameOf(target) {
		while (target && target.parentNode !== framesEl)
			target = target.parentNode;
		return target && target.__i !== undefined ? target.__i : -1;
	}
	framesEl.addEventListener("click", function (e) {
		var i = frameOf(e.target);
		if (i > 0 && (e.ctrlKey || e.metaKey || e.altKey)) {
			loadNames();
			sandwich(names[i]);
		} else if (i >= 0) {
			zoom(i);
		}
	});
	framesEl.addEventListener("mouseover", function (e) {
		var i = frameOf(e.target);
		if (i < 0)
			return;
		var t = titleOf(i);
		detailsEl.textContent = C.nametype + " " + t;
		// --compact: the tooltip is made when first needed
		if (compact && gs[i].lastChild.nodeName !== "title")
			gs[i].appendChild(doc.createElementNS(NS, "title")).textContent = t;
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
			if (panel) {
				closePanel();
			} else if (zoomedAt >= 0) {
				unzoom();
				if (focused >= 0 && doc.activeElement === gs[focused])
					focusFrame(focused);
			} else if (searchRe) {
				clearSearch();
			}
		}
	});
	// ---- callers and callees of a function (the sandwich view), and the function table ----
	// Both count every frame, the ones too narrow to draw too (from scorchTree; when it cannot
	// be read, the drawn ones only, their hidden children's time in their self). A function's
	// total counts each stack once (its outermost frame: recursion is not counted twice); self
	// sums every frame's own.
	var XNS = "http://www.w3.org/1999/xhtml", H0 = parseFloat(root.getAttribute("height"));
	var bgEl = doc.getElementById("background"), funcsEl = doc.getElementById("funcs");
	var panel = null, panelName = null;
	var fnStats = null, prunedIdx;
	// the frames too narrow to draw: for each drawn frame, the first of those hanging from it
	// (next: the one after it there); each one's parent among them (-1: a drawn one)
	function pruned() {
		if (prunedIdx !== undefined)
			return prunedIdx;
		var T = treeData();
		prunedIdx = null;
		if (!T || !T.n)
			return null;
		loadNames();	// (the drawn frames' counts, below)
		var first = new Int32Array(n).fill(-1), last = new Int32Array(n).fill(-1);
		var next = new Int32Array(T.n).fill(-1), par = new Int32Array(T.n).fill(-1), stack = [];
		for (var e = 0; e < T.n; e++) {
			while (stack.length && T.end[stack[stack.length - 1]] <= e)
				stack.pop();
			if (stack.length) {
				par[e] = stack[stack.length - 1];
			} else {	// hangs from a drawn frame
				var a = T.anchor[e];
				if (last[a] < 0)
					first[a] = e;
				else
					next[last[a]] = e;
				last[a] = e;
			}
			stack.push(e);
		}
		prunedIdx = { T: T, first: first, next: next, par: par,
			      exact: T.drawnTot ? T.drawnTot : counts };
		return prunedIdx;
	}
	function prunedName(P, e) {
		return P.T.names[P.T.name[e]];
	}
	function functionStats() {
		if (fnStats)
			return fnStats;
		loadNames();
		var P = pruned(), v = P ? P.exact : counts;
		var byName = new Map(), open = [], byIdx = P ? new Array(P.T.names.length) : null;
		// per function: its frames open on the path walked (act), for the outermost rule
		var stat = function (nm) {
			var st = byName.get(nm);
			if (!st) {
				st = { name: nm, self: 0, total: 0, first: undefined, act: 0 };
				byName.set(nm, st);
			}
			return st;
		};
		var childSum = new Float64Array(n), e;
		for (var i = 1; i < n; i++)
			childSum[parent[i]] += v[i];
		for (i = 0; P && i < n; i++)
			for (e = P.first[i]; e >= 0; e = P.next[e])
				childSum[i] += P.T.tot[e];
		// the frames too narrow to draw below drawn frame i, in preorder, ancestors open
		// (a stack of them: its frames, their stats, their children's time)
		var poQ = [], poSt = [], poKids = [];
		var pop = function () {
			var st = poSt.pop();
			st.self += Math.max(0, P.T.tot[poQ.pop()] - poKids.pop());
			st.act--;
		};
		var below = function (i) {
			for (var e = P ? P.first[i] : -1; e >= 0; e = P.next[e]) {
				for (var q = e, qe = P.T.end[e]; q < qe; q++) {
					while (poQ.length && P.T.end[poQ[poQ.length - 1]] <= q)
						pop();
					var x = P.T.name[q], st = byIdx[x] || (byIdx[x] = stat(P.T.names[x]));
					if (poKids.length)
						poKids[poKids.length - 1] += P.T.tot[q];
					if (!st.act)
						st.total += P.T.tot[q];
					st.act++;
					poQ.push(q);
					poSt.push(st);
					poKids.push(0);
				}
				while (poQ.length)
					pop();
			}
		};
		below(0);
		for (i = 1; i < n; i++) {
			while (open.length && end[open[open.length - 1]] <= i)
				stat(names[open.pop()]).act--;
			var st = stat(names[i]);
			if (st.first === undefined)
				st.first = i;
			st.self += Math.max(0, v[i] - childSum[i]);
			if (!st.act)
				st.total += v[i];
			st.act++;
			open.push(i);
			below(i);
		}
		fnStats = byName;
		return byName;
	}
	// the outermost frames named name (not below another frame of that name): drawn ones
	// (drawn), then the ones too narrow to draw (pruned)
	function outermost(name) {
		var out = [], outP = [], P = pruned(), inside = new Uint8Array(n);
		for (var i = 1; i < n;) {
			if (names[i] === name) {
				out.push(i);
				inside.fill(1, i, end[i]);
				i = end[i];
			} else {
				i++;
			}
		}
		for (i = 0; P && i < n; i++) {
			if (inside[i])
				continue;
			for (var e = P.first[i]; e >= 0; e = P.next[e])
				for (var q = e; q < P.T.end[e];) {
					if (prunedName(P, q) === name) {
						outP.push(q);
						q = P.T.end[q];
					} else {
						q++;
					}
				}
		}
		return { drawn: out, pruned: outP };
	}
	function trieNode(name) {
		return { name: name, v: 0, kids: new Map() };
	}
	function trieChild(t, name) {
		var c = t.kids.get(name);
		if (!c) {
			c = trieNode(name);
			t.kids.set(name, c);
		}
		return c;
	}
	// the pruned subtree of e into trie node t (e itself a child of t)
	function prunedTrie(P, e, t) {
		var stack = [];
		for (var q = e; q < P.T.end[e]; q++) {
			while (stack.length && P.T.end[stack[stack.length - 1][0]] <= q)
				stack.pop();
			var c = trieChild(stack.length ? stack[stack.length - 1][1] : t, prunedName(P, q));
			c.v += P.T.tot[q];
			stack.push([q, c]);
		}
	}
	// callers: each occurrence's ancestors, nearest first; callees: each occurrence's subtree
	function sandwichTries(name) {
		var occ = outermost(name), up = trieNode(name), down = trieNode(name);
		var P = pruned(), v = P ? P.exact : counts;
		var callers = function (i, w, t) {	// drawn frame i's ancestors (i included)
			for (var p = i; p > 0; p = parent[p]) {
				t = trieChild(t, names[p]);
				t.v += w;
			}
		};
		var below = function (j, t) {	// the frames too narrow to draw under drawn frame j
			for (var e = P ? P.first[j] : -1; e >= 0; e = P.next[e])
				prunedTrie(P, e, t);
		};
		for (var k = 0; k < occ.drawn.length; k++) {
			var i = occ.drawn[k];
			up.v += v[i];
			down.v += v[i];
			callers(parent[i], v[i], up);
			var stack = [[i, down]];
			below(i, down);
			for (var j = i + 1; j < end[i]; j++) {
				while (stack[stack.length - 1][0] !== parent[j])
					stack.pop();
				var c = trieChild(stack[stack.length - 1][1], names[j]);
				c.v += v[j];
				stack.push([j, c]);
				below(j, c);
			}
		}
		for (k = 0; k < occ.pruned.length; k++) {
			var q = occ.pruned[k], w = P.T.tot[q], t = up;
			up.v += w;
			down.v += w;
			for (var a = P.par[q]; a >= 0; a = P.par[a]) {
				t = trieChild(t, prunedName(P, a));
				t.v += w;
			}
			// the drawn frame the outermost of them hangs from, and its ancestors
			for (a = q; P.par[a] >= 0; a = P.par[a])
				;
			callers(P.T.anchor[a], w, t);
			for (var e2 = q + 1; e2 < P.T.end[q]; e2 = P.T.end[e2])	// its children
				prunedTrie(P, e2, down);
		}
		return { up: up, down: down };
	}
	// (iterative: a folded stack may be thousands of frames deep)
	function trieDepth(t) {
		var d = 0, stack = [[t, 1]];
		while (stack.length) {
			var e = stack.pop();
			d = Math.max(d, e[1]);
			e[0].kids.forEach(function (c) {
				stack.push([c, e[1] + 1]);
			});
		}
		return d;
	}
	function svgEl(tag, attrs, parentEl) {
		var e = doc.createElementNS(NS, tag);
		for (var a in attrs)
			e.setAttribute(a, attrs[a]);
		if (parentEl)
			parentEl.appendChild(e);
		return e;
	}
	function fillOf(name) {
		var st = functionStats().get(name);
		var r = st ? rects[st.first] : null;
		return r ? r.__fill || r.getAttribute("fill") : "#e0e0e0";
	}
	// draws trie t from x with width w at row y, the next level at y + dy
	function drawTrie(t0, x0, w0, y0, dy, g) {
		var stack = [[t0, x0, w0, y0]];
		while (stack.length) {
			var e = stack.pop(), t = e[0], x = e[1], w = e[2], y = e[3];
			var fg = svgEl("g", { "class": "sw", tabindex: "-1" }, g);
			fg.__name = t.name;
			svgEl("title", {}, fg).textContent = describe(t.name, t.v);
			svgEl("rect", { x: x.toFixed(1), y: y.toFixed(1), width: Math.max(0, w).toFixed(1),
				       height: (C.frameheight - 1).toFixed(1), fill: fillOf(t.name) }, fg);
			var chars = Math.floor((w - 6) / charW);
			if (chars >= 3) {
				var s = t.name.length <= chars ? t.name : t.name.substring(0, chars - 2) + "..";
				svgEl("text", { x: (x + 3).toFixed(1), y: (y + (C.frameheight - 1) / 2 + 3).toFixed(1) },
				      fg).textContent = s;
			}
			var kids = Array.from(t.kids.values()).sort(function (a, b) {
				return a.name < b.name ? -1 : a.name > b.name;
			});
			var cx = x;
			for (var k = 0; k < kids.length; k++) {
				var cw = w * kids[k].v / t.v;
				if (cw >= 0.1)
					stack.push([kids[k], cx, cw, y + dy]);
				cx += cw;
			}
		}
	}
	function setHeight(h) {
		root.setAttribute("height", h);
		root.setAttribute("viewBox", "0 0 " + W + " " + h);
		bgEl.setAttribute("height", h);
		var y = (h - (C.bottom || 0) / 2).toFixed(1);
		detailsEl.setAttribute("y", y);
		matchedEl.setAttribute("y", y);
	}
	function closePanel(keepUrl) {
		if (!panel)
			return;
		panel.parentNode.removeChild(panel);
		panel = null;
		panelName = null;
		framesEl.classList.remove("hide");
		setHeight(H0);
		if (!keepUrl)
			saveState();
	}
	function panelBase(height) {
		closePanel(true);
		framesEl.classList.add("hide");
		var top = C.top, h = Math.max(H0, top + height + (C.bottom || 0));
		setHeight(h);
		panel = svgEl("g", { id: "panel" }, root);
		var back = svgEl("text", { id: "back", x: xpad, y: (top - 4).toFixed(1), role: "button",
					   tabindex: "0" }, panel);
		back.textContent = "< Back to the graph";
		back.addEventListener("click", function () {
			closePanel();
		});
		back.addEventListener("keydown", function (e) {
			if (e.key === "Enter" || e.key === " ") {
				e.preventDefault();
				closePanel();
			}
		});
		return top;
	}
	// the callers of name above it, its callees below it
	function sandwich(name) {
		var st = functionStats().get(name);
		if (!st)
			return;
		var tr = sandwichTries(name), fh = C.frameheight;
		var du = trieDepth(tr.up), dd = trieDepth(tr.down);
		var top = panelBase((du + dd + 4) * fh);
		panelName = name;
		var head = svgEl("text", { id: "swhead", x: xpad, y: (top + fh - 4).toFixed(1) }, panel);
		head.textContent = "Callers and callees of " + name + ": total " + fixed2(pctOf(st.total)) +
			"% (" + countText(st.total) + " " + C.countname + "), self " + fixed2(pctOf(st.self)) + "%";
		var g = svgEl("g", { id: "sandwich" }, panel);
		svgEl("text", { "class": "swlabel", x: xpad, y: (top + 2 * fh - 4).toFixed(1) }, g).textContent =
			"callers (the caller above its callee)";
		var yF = top + (du + 2) * fh;
		drawTrie(tr.up, xpad, full, yF, -fh, g);
		svgEl("text", { "class": "swlabel", x: xpad, y: (yF + 2 * fh - 4).toFixed(1) }, g).textContent =
			"callees (below the function that calls them)";
		drawTrie(tr.down, xpad, full, yF + 2 * fh, fh, g);
		g.addEventListener("click", function (e) {
			var t = e.target.parentNode;
			if (t && t.__name !== undefined && t.__name !== panelName)
				sandwich(t.__name);
		});
		g.addEventListener("mouseover", function (e) {
			var t = e.target.parentNode;
			if (t && t.__name !== undefined)
				detailsEl.textContent = C.nametype + " " + t.firstChild.textContent;
		});
		saveState();
	}
	// the table: every function with its self and total share, sortable and filterable
	var tableSort = { key: "self", desc: true };
	function xEl(tag, parentEl, text) {
		var e = doc.createElementNS(XNS, tag);
		if (text !== undefined)
			e.textContent = text;
		if (parentEl)
			parentEl.appendChild(e);
		return e;
	}
	function functionTable(filter) {
		var stats = Array.from(functionStats().values());
		var top = panelBase(Math.max(24, Math.min(stats.length, 40)) * 20 + 60);
		panelName = "";
		var h = parseFloat(root.getAttribute("height")) - top - (C.bottom || 0);
		var fo = svgEl("foreignObject", { id: "ftable", x: xpad, y: top, width: full, height: h }, panel);
		var box = xEl("div", fo);
		var input = xEl("input", box);
		input.setAttribute("placeholder", "filter functions (text)");
		input.setAttribute("aria-label", "filter functions");
		var info = xEl("span", box);
		var table = xEl("table", box), thead = xEl("thead", table), tbody = xEl("tbody", table);
		var hr = xEl("tr", thead), cols = [["name", "Function"], ["self", "Self %"], ["total", "Total %"]];
		cols.forEach(function (c) {
			var th = xEl("th", hr, c[1]);
			th.setAttribute("tabindex", "0");
			th.setAttribute("data-key", c[0]);
			var sortBy = function () {
				tableSort = { key: c[0], desc: tableSort.key === c[0] ? !tableSort.desc : c[0] !== "name" };
				fill();
			};
			th.addEventListener("click", sortBy);
			th.addEventListener("keydown", function (e) {
				if (e.key === "Enter" || e.key === " ") {
					e.preventDefault();
					sortBy();
				}
			});
		});
		function fill() {
			var f = input.value.toLowerCase(), k = tableSort.key, sign = tableSort.desc ? -1 : 1;
			var rows = stats.filter(function (st) {
				return !f || st.name.toLowerCase().indexOf(f) >= 0;
			}), matching = rows.length;
			// 1,000 rows are shown: by a share, only the rows up to the 1,000th value are
			// sorted (a huge profile has hundreds of thousands of functions)
			if (k !== "name" && rows.length > 1000) {
				var vs = new Float64Array(rows.length);
				for (var q = 0; q < rows.length; q++)
					vs[q] = rows[q][k];
				vs.sort();
				var cut = sign < 0 ? vs[vs.length - 1000] : vs[999];
				rows = rows.filter(function (st) {
					return sign < 0 ? st[k] >= cut : st[k] <= cut;
				});
			}
			rows.sort(function (a, b) {
				var x = a[k], y = b[k], d = x < y ? -1 : x > y ? 1 : 0;
				return d ? d * sign : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
			});
			hr.childNodes.forEach(function (th) {
				var key = th.getAttribute("data-key");
				th.setAttribute("aria-sort", key === k ? (tableSort.desc ? "descending" : "ascending") : "none");
			});
			while (tbody.firstChild)
				tbody.removeChild(tbody.firstChild);
			var shown = Math.min(rows.length, 1000);
			for (var r = 0; r < shown; r++) {
				var tr = xEl("tr", tbody), st = rows[r];
				xEl("td", tr, st.name);
				xEl("td", tr, fixed2(pctOf(st.self)));
				xEl("td", tr, fixed2(pctOf(st.total)));
				tr.setAttribute("tabindex", "0");
				tr.__name = st.name;
			}
			info.textContent = " " + matching + " of " + stats.length + " functions" +
				(shown < matching ? " (the first " + shown + " shown: filter to see more)" : "") +
				"; click a row for its callers and callees";
		}
		tbody.addEventListener("click", function (e) {
			var t = e.target;
			while (t && t.__name === undefined)
				t = t.parentNode;
			if (t)
				sandwich(t.__name);
		});
		tbody.addEventListener("keydown", function (e) {
			if ((e.key === "Enter" || e.key === " ") && e.target.__name !== undefined) {
				e.preventDefault();
				sandwich(e.target.__name);
			}
		});
		input.addEventListener("input", fill);
		input.value = filter || "";
		fill();
		input.focus();
		saveState();
	}
	if (funcsEl) {
		funcsEl.addEventListener("click", function () {
			functionTable(searchRe && !/[\\^$.*+?()[\]{}|]/.test(searchRe) ? searchRe : "");
		});
	}

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
		} else if ((e.key === "s" || e.key === "S") && i > 0 && !e.ctrlKey && !e.metaKey && !e.altKey) {
			e.preventDefault();
			loadNames();
			sandwich(names[i]);
			return;
		} else {
			return;
		}
		e.preventDefault();
		focusFrame(j);
	});
	// the controls are buttons for the keyboard too
	[unzoomEl, searchEl, icEl, funcsEl].forEach(function (el) {
		if (!el)
			return;
		el.addEventListener("keydown", function (e) {
			if (e.key === "Enter" || e.key === " ") {
				e.preventDefault();
				el.dispatchEvent(new Event("click"));
			}
		});
	});

	// for tests and tools: the state and actions, read-only in spirit
	window.scorch = { zoom: zoom, unzoom: unzoom, search: search, clearSearch: clearSearch, inflate: inflate,
		sandwich: sandwich, functionTable: functionTable, closePanel: closePanel,
		frames: n, title: titleOf, state: function () { return { zoomed: zoomedAt, search: searchRe,
			matched: matched.length, focused: focused, panel: panelName }; } };
	restoreState();
})();
