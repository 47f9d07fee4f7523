/// The web interface's stylesheet and script, served at `/static/vitrine.css` and `/static/vitrine.js`.
/// Plain CSS and JavaScript (no build step, no framework): the pages are server-rendered and work
/// without the script; it adds infinite scroll, the review buttons and keyboard shortcuts, the map.
enum WebAssets {
    /// Set first in every page's `<head>`: counts uncaught errors in `<html data-js-errors="N">`
    /// (read by `make browser-test`).
    static let errorMarker = """
    <script>(function(){function mark(){var h=document.documentElement;h.setAttribute('data-js-errors',String((+h.getAttribute('data-js-errors')||0)+1));}
    window.addEventListener('error',mark);window.addEventListener('unhandledrejection',mark);})();</script>
    """

    static let css = """
    :root{--fg:#1d1d1f;--muted:#6b6b70;--bg:#fafaf7;--card:#fff;--line:#e2e0da;--accent:#7a2e1d;--ok:#2f6b3a;--bad:#9b1c1c;--focus:#f5d76e}
    *{box-sizing:border-box}
    body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
    a{color:var(--accent)}
    header.top{display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:center;padding:.6rem 1rem;background:#201a17;color:#f3efe8}
    header.top a{color:#f3efe8;text-decoration:none}
    header.top a.brand{font-weight:700;letter-spacing:.04em;margin-right:.5rem}
    header.top nav{display:flex;flex-wrap:wrap;gap:.2rem .9rem}
    header.top nav a[aria-current]{border-bottom:2px solid var(--focus)}
    header.top .token{margin-left:auto;display:flex;gap:.3rem;align-items:center;font-size:.85rem}
    header.top .token input{width:9rem;padding:.2rem .4rem;border-radius:4px;border:1px solid #555;background:#2b2420;color:#f3efe8}
    main{padding:1rem;max-width:1400px;margin:0 auto}
    h1{font-size:1.35rem;margin:.2rem 0 .8rem}
    h2{font-size:1.1rem;margin:1.2rem 0 .5rem}
    .muted{color:var(--muted)}
    form.filters{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:.5rem .8rem;align-items:end;background:var(--card);
      border:1px solid var(--line);border-radius:8px;padding:.8rem;margin-bottom:1rem}
    form.filters label{display:flex;flex-direction:column;font-size:.8rem;color:var(--muted)}
    form.filters input,form.filters select{font:inherit;padding:.3rem;border:1px solid var(--line);border-radius:4px;background:#fff;min-width:0}
    button,.button{font:inherit;padding:.35rem .8rem;border-radius:5px;border:1px solid var(--line);background:#fff;cursor:pointer;color:var(--fg);text-decoration:none;display:inline-block}
    button.primary{background:var(--accent);border-color:var(--accent);color:#fff}
    button.ok{border-color:var(--ok);color:var(--ok)}button.bad{border-color:var(--bad);color:var(--bad)}
    .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:.8rem}
    .card{background:var(--card);border:1px solid var(--line);border-radius:8px;overflow:hidden;display:flex;flex-direction:column}
    .card .thumb{display:flex;align-items:center;justify-content:center;background:#efede8;aspect-ratio:1/1}
    .card .thumb img{max-width:100%;max-height:100%;object-fit:contain}
    .card .meta{padding:.45rem .55rem;font-size:.82rem}
    .card .meta .title{font-weight:600;display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden}
    .chips{display:flex;flex-wrap:wrap;gap:.25rem;margin-top:.25rem}
    .chip{font-size:.72rem;padding:.05rem .4rem;border-radius:999px;background:#f0ebe3;border:1px solid var(--line)}
    .chip.prediction{background:#eef3fb}.chip.curator{background:#eaf5ec}
    .item-layout{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:1.2rem}
    .figure{position:relative;display:inline-block;max-width:100%;background:#efede8}
    .figure img{display:block;max-width:100%;height:auto}
    .figure svg{position:absolute;inset:0;width:100%;height:100%}
    .figure rect{fill:none;stroke:#ffcc00;stroke-width:3;vector-effect:non-scaling-stroke}
    .figure text{fill:#ffcc00;paint-order:stroke;stroke:#000;stroke-width:3px;vector-effect:non-scaling-stroke}
    table{border-collapse:collapse;width:100%;background:var(--card)}
    th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid var(--line);vertical-align:top;font-size:.88rem;overflow-wrap:anywhere}
    th{color:var(--muted);font-weight:600;white-space:nowrap;overflow-wrap:normal}
    .bar{display:inline-block;height:.55rem;background:var(--accent);border-radius:2px;vertical-align:middle;margin-right:.3rem}
    .pairs{display:flex;flex-direction:column;gap:1rem}
    .pair{display:grid;grid-template-columns:1fr 1fr auto;gap:.8rem;align-items:center;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.6rem}
    .pair.focused{outline:3px solid var(--focus)}
    .pair img{max-width:100%;max-height:320px;display:block;margin:auto}
    .pair .actions{display:flex;flex-direction:column;gap:.4rem}
    .pair[data-verdict=confirm]{border-color:var(--ok);background:#f2f8f3}.pair[data-verdict=reject]{border-color:var(--bad);background:#fbf1f1}
    .card[data-verdict]{opacity:.55}
    .card.focused{outline:3px solid var(--focus)}
    .kbd{font-family:ui-monospace,monospace;font-size:.8rem;border:1px solid var(--line);border-bottom-width:2px;border-radius:4px;padding:0 .3rem;background:#fff}
    .toast{position:fixed;right:1rem;bottom:1rem;background:#201a17;color:#fff;padding:.5rem .8rem;border-radius:6px;opacity:0;transition:opacity .2s;max-width:80vw}
    .toast.show{opacity:.95}
    #map{width:100%;height:75vh;background:#efede8;border:1px solid var(--line);border-radius:8px;touch-action:none;cursor:grab}
    .legend{display:flex;flex-wrap:wrap;gap:.3rem .8rem;font-size:.8rem;margin:.5rem 0}
    .legend i{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;margin-right:.25rem;vertical-align:-1px}
    .charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:1rem}
    .charts figure{margin:0;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.5rem}
    .charts img{width:100%;height:auto}
    .charts figcaption{font-size:.8rem;color:var(--muted);overflow-wrap:anywhere}
    #sentinel{height:1px}
    @media (max-width:700px){
      main{padding:.6rem}
      .grid{grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:.5rem}
      .item-layout{grid-template-columns:1fr}
      .pair{grid-template-columns:1fr 1fr}.pair .actions{grid-column:1/-1;flex-direction:row}
      header.top .token{margin-left:0}
      form.filters{grid-template-columns:1fr 1fr}
    }
    """

    static let js = #"""
    (function () {
      'use strict';
      var tokenKey = 'vitrineToken';
      function $(sel, root) { return (root || document).querySelector(sel); }
      function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
      function esc(s) { return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) { return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]; }); }
      function toast(text) {
        var t = $('#toast'); if (!t) return;
        t.textContent = text; t.classList.add('show');
        clearTimeout(toast.timer); toast.timer = setTimeout(function () { t.classList.remove('show'); }, 2500);
      }
      function token() { var i = $('#token'); return (i && i.value) || localStorage.getItem(tokenKey) || ''; }
      // POST a JSON body to a write endpoint with the bearer token; resolves to the parsed answer.
      function post(path, body) {
        return fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Authorization': 'Bearer ' + token() }, body: JSON.stringify(body) })
          .then(function (r) { return r.json().catch(function () { return {}; }).then(function (j) { if (!r.ok) { throw new Error(j.detail || j.title || ('HTTP ' + r.status)); } return j; }); });
      }
      window.vitrine = { post: post, toast: toast };

      // Token field in the header (kept in localStorage; write endpoints need it).
      var tokenInput = $('#token');
      if (tokenInput) {
        tokenInput.value = localStorage.getItem(tokenKey) || '';
        tokenInput.addEventListener('change', function () { localStorage.setItem(tokenKey, tokenInput.value); toast(tokenInput.value ? 'Token saved' : 'Token cleared'); });
      }

      // Collection grid: infinite scroll through GET /api/items (cursor pagination).
      var grid = $('#grid');
      function card(item) {
        var labels = item.labels || [], top = null;
        labels.forEach(function (l) { if (l.origin === 'prediction' && (!top || (l.confidence || 0) > (top.confidence || 0))) top = l; });
        var shown = labels.filter(function (l) { return l.origin !== 'prediction'; }).concat(top ? [top] : []);
        var chips = shown.slice(0, 4).map(function (l) {
          return '<span class="chip ' + esc(l.origin) + '" title="' + esc(l.origin) + (l.confidence != null ? ' ' + l.confidence.toFixed(2) : '') + '">' + esc(l.label) + '</span>';
        }).join('');
        return '<a class="card" href="/items/' + item.id + '"><span class="thumb"><img loading="lazy" alt="" src="' + esc(item.thumbnail) + '"></span>' +
          '<span class="meta"><span class="title">' + esc(item.title || ('Item ' + item.id)) + '</span>' +
          '<span class="muted">' + esc(item.dataProvider || item.provider || '') + '</span><span class="chips">' + chips + '</span></span></a>';
      }
      if (grid && grid.dataset.next && 'IntersectionObserver' in window) {
        var loading = false;
        var sentinel = $('#sentinel');
        var observer = new IntersectionObserver(function (entries) {
          if (!entries[0].isIntersecting || loading || !grid.dataset.next) return;
          loading = true;
          var q = new URLSearchParams(grid.dataset.query || '');
          q.set('cursor', grid.dataset.next);
          fetch('/api/items?' + q.toString()).then(function (r) { return r.json(); }).then(function (page) {
            grid.insertAdjacentHTML('beforeend', (page.items || []).map(card).join(''));
            grid.dataset.next = page.nextCursor || '';
            var shown = $('#shown'); if (shown) shown.textContent = String($all('.card', grid).length);
            if (!page.nextCursor) { observer.disconnect(); }
          }).catch(function (e) { toast('Could not load more: ' + e.message); }).then(function () { loading = false; });
        }, { rootMargin: '600px' });
        observer.observe(sentinel);
      }

      // Duplicate review: confirm / reject each pair (keeper vs member); keyboard shortcuts.
      var pairs = $all('.pair');
      var focus = 0;
      function setFocus(i) {
        if (!pairs.length) return;
        focus = Math.max(0, Math.min(pairs.length - 1, i));
        pairs.forEach(function (p, j) { p.classList.toggle('focused', j === focus); });
        pairs[focus].scrollIntoView({ block: 'nearest' });
      }
      function judge(pair, verdict) {
        post('/api/feedback/duplicates', { itemA: +pair.dataset.a, itemB: +pair.dataset.b, groupID: +pair.dataset.group, verdict: verdict, who: 'web' })
          .then(function () { pair.dataset.verdict = verdict; toast((verdict === 'confirm' ? 'Confirmed ' : 'Rejected ') + pair.dataset.a + ' / ' + pair.dataset.b); setFocus(pairs.indexOf(pair) + 1); })
          .catch(function (e) { toast(e.message); });
      }
      pairs.forEach(function (pair) {
        $all('button[data-verdict]', pair).forEach(function (b) { b.addEventListener('click', function () { judge(pair, b.dataset.verdict); }); });
      });
      if (pairs.length) setFocus(0);

      // Prediction review: accept or correct in one click.
      var predictionCards = $all('.card[data-concept]');
      var pfocus = 0;
      function setPFocus(i) {
        if (!predictionCards.length) return;
        pfocus = Math.max(0, Math.min(predictionCards.length - 1, i));
        predictionCards.forEach(function (c, j) { c.classList.toggle('focused', j === pfocus); });
      }
      function review(cardEl, verdict, corrected) {
        var body = { itemID: +cardEl.dataset.item, concept: cardEl.dataset.concept, verdict: verdict, who: 'web' };
        if (corrected) body.correctedConcept = corrected;
        post('/api/feedback/labels', body).then(function () {
          cardEl.dataset.verdict = verdict; toast(verdict === 'accept' ? 'Accepted ' + body.concept : 'Corrected to ' + corrected);
          setPFocus(predictionCards.indexOf(cardEl) + 1);
        }).catch(function (e) { toast(e.message); });
      }
      predictionCards.forEach(function (c) {
        var a = $('button.accept', c); if (a) a.addEventListener('click', function () { review(c, 'accept'); });
        var s = $('select.correct', c);
        if (s) s.addEventListener('change', function () { if (s.value) review(c, 'correct', s.value); });
      });
      if (predictionCards.length) setPFocus(0);

      // Similar items: relevant / not relevant.
      $all('[data-similar]').forEach(function (b) {
        b.addEventListener('click', function () {
          post('/api/feedback/similar', { itemID: +b.dataset.item, similarItemID: +b.dataset.similar, relevant: b.dataset.relevant === 'true', who: 'web' })
            .then(function () { toast('Thanks: marked ' + (b.dataset.relevant === 'true' ? 'relevant' : 'not relevant')); b.closest('.card').dataset.verdict = b.dataset.relevant; })
            .catch(function (e) { toast(e.message); });
        });
      });

      document.addEventListener('keydown', function (ev) {
        var tag = (ev.target && ev.target.tagName) || '';
        if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA' || ev.metaKey || ev.ctrlKey || ev.altKey) return;
        var next = $('a[rel=next]'), prev = $('a[rel=prev]');
        if (pairs.length) {
          if (ev.key === 'j' || ev.key === 'ArrowDown') { setFocus(focus + 1); ev.preventDefault(); }
          else if (ev.key === 'k' || ev.key === 'ArrowUp') { setFocus(focus - 1); ev.preventDefault(); }
          else if (ev.key === 'y' || ev.key === 'c') { judge(pairs[focus], 'confirm'); }
          else if (ev.key === 'n' || ev.key === 'r') { judge(pairs[focus], 'reject'); }
        }
        if (predictionCards.length) {
          if (ev.key === 'j' || ev.key === 'ArrowRight') { setPFocus(pfocus + 1); }
          else if (ev.key === 'k' || ev.key === 'ArrowLeft') { setPFocus(pfocus - 1); }
          else if (ev.key === 'a') { review(predictionCards[pfocus], 'accept'); }
          else if (ev.key === 'c') { var s = $('select.correct', predictionCards[pfocus]); if (s) s.focus(); }
        }
        if (ev.key === ']' && next) { location.href = next.href; }
        if (ev.key === '[' && prev) { location.href = prev.href; }
      });

      // Map: thumbnails placed by their 2-D coordinates (GET /api/map); wheel or pinch to zoom, drag to pan.
      var map = $('#map');
      if (map) {
        var palette = ['#1f77b4','#ff7f0e','#2ca02c','#d62728','#9467bd','#8c564b','#e377c2','#7f7f7f','#bcbd22','#17becf'];
        fetch('/api/map').then(function (r) { return r.json(); }).then(function (points) {
          if (!points.length) { map.outerHTML = '<p class="muted">No map yet: run <code>vitrine map</code> on this store.</p>'; return; }
          var minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
          points.forEach(function (p) { minX = Math.min(minX, p.x); maxX = Math.max(maxX, p.x); minY = Math.min(minY, p.y); maxY = Math.max(maxY, p.y); });
          var size = 1000, cell = 28, keys = {};
          var sx = (maxX - minX) || 1, sy = (maxY - minY) || 1;
          var ns = 'http://www.w3.org/2000/svg';
          var svg = document.createElementNS(ns, 'svg');
          svg.setAttribute('width', '100%'); svg.setAttribute('height', '100%');
          var view = { x: -cell, y: -cell, w: size + 2 * cell, h: size + 2 * cell };
          function apply() { svg.setAttribute('viewBox', view.x + ' ' + view.y + ' ' + view.w + ' ' + view.h); }
          apply();
          points.forEach(function (p) {
            if (!(p.colourKey in keys)) keys[p.colourKey] = palette[Object.keys(keys).length % palette.length];
            var x = (p.x - minX) / sx * size, y = (1 - (p.y - minY) / sy) * size;
            var a = document.createElementNS(ns, 'a'); a.setAttribute('href', '/items/' + p.id);
            var t = document.createElementNS(ns, 'title'); t.textContent = 'Item ' + p.id + ' — ' + p.colourKey; a.appendChild(t);
            var r = document.createElementNS(ns, 'rect');
            r.setAttribute('x', x - cell / 2 - 2); r.setAttribute('y', y - cell / 2 - 2); r.setAttribute('width', cell + 4); r.setAttribute('height', cell + 4);
            r.setAttribute('fill', keys[p.colourKey]); a.appendChild(r);
            var img = document.createElementNS(ns, 'image');
            img.setAttribute('href', p.thumbnail); img.setAttribute('x', x - cell / 2); img.setAttribute('y', y - cell / 2);
            img.setAttribute('width', cell); img.setAttribute('height', cell); a.appendChild(img);
            svg.appendChild(a);
          });
          map.appendChild(svg);
          var legend = $('#legend');
          if (legend) legend.innerHTML = Object.keys(keys).slice(0, 40).map(function (k) { return '<span><i style="background:' + keys[k] + '"></i>' + esc(k) + '</span>'; }).join('');
          map.addEventListener('wheel', function (ev) {
            ev.preventDefault();
            var rect = map.getBoundingClientRect(), f = ev.deltaY < 0 ? 0.8 : 1.25;
            var px = view.x + (ev.clientX - rect.left) / rect.width * view.w, py = view.y + (ev.clientY - rect.top) / rect.height * view.h;
            view.w *= f; view.h *= f; view.x = px - (px - view.x) * f; view.y = py - (py - view.y) * f; apply();
          }, { passive: false });
          var drag = null;
          map.addEventListener('pointerdown', function (ev) { drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y }; });
          window.addEventListener('pointerup', function () { drag = null; });
          map.addEventListener('pointermove', function (ev) {
            if (!drag) return;
            var rect = map.getBoundingClientRect();
            view.x = drag.vx - (ev.clientX - drag.x) / rect.width * view.w; view.y = drag.vy - (ev.clientY - drag.y) / rect.height * view.h; apply();
          });
          var zin = $('#zoom-in'), zout = $('#zoom-out');
          function zoom(f) { var cx = view.x + view.w / 2, cy = view.y + view.h / 2; view.w *= f; view.h *= f; view.x = cx - view.w / 2; view.y = cy - view.h / 2; apply(); }
          if (zin) zin.addEventListener('click', function () { zoom(0.7); });
          if (zout) zout.addEventListener('click', function () { zoom(1.4); });
        }).catch(function (e) { toast('Map: ' + e.message); });
      }
    })();
    """#
}
