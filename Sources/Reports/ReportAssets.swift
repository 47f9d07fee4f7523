/// The stylesheet and script written to `assets/` beside every report page.
///
/// Both are static text, so reports stay byte-identical for identical input. The page is fully
/// usable without the script: it only reveals the duplicate-group filter bar (kind, path text,
/// expand/collapse all), which is `hidden` in the HTML.
enum ReportAssets {
    static let stylesheet = """
    :root {
      --ink: #1d1d1f; --muted: #5b6169; --line: #d9d9de; --page: #f7f7f4; --paper: #ffffff;
      --keeper: #0072B2; --accent: #0072B2; --warm: #8a3b00;
      color-scheme: light;
    }
    * { box-sizing: border-box; }
    [hidden] { display: none !important; }
    body {
      margin: 0; color: var(--ink); background: var(--page);
      font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
    }
    code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: .9em; overflow-wrap: anywhere; }
    a { color: #005a8c; }
    .page-header { background: #1f2a36; color: #ffffff; padding: 24px max(16px, calc((100% - 1200px) / 2)) 12px; }
    .page-header h1 { margin: 0 0 4px; font-size: 1.7rem; font-weight: 600; }
    .page-header .meta { margin: 0 0 12px; color: #d5dce3; }
    .page-header code { color: #ffffff; }
    .page-header nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 20px; }
    .page-header nav a { color: #ffffff; text-decoration: none; border-bottom: 2px solid transparent; }
    .page-header nav a:hover, .page-header nav a:focus { border-bottom-color: #56B4E9; }
    main { max-width: 1200px; margin: 0 auto; padding: 8px 16px 48px; }
    main > section { margin-top: 36px; }
    h2 { font-size: 1.35rem; border-bottom: 1px solid var(--line); padding-bottom: 4px; margin-bottom: 12px; }
    h3 { font-size: 1.1rem; margin: 24px 0 4px; }
    .cards { list-style: none; padding: 0; margin: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); gap: 12px; }
    .card { background: var(--paper); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; display: flex; flex-direction: column; }
    .card-value { font-size: 1.6rem; font-weight: 600; font-variant-numeric: tabular-nums; line-height: 1.2; }
    .card-label { color: var(--muted); }
    .card-note { color: var(--muted); font-size: .8rem; }
    .chart-row { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
    .chart-figure { margin: 0; flex: 1 1 420px; max-width: 660px; background: var(--paper); border: 1px solid var(--line); border-radius: 8px; padding: 8px; }
    .chart-figure svg { display: block; width: 100%; height: auto; }
    .chart-row > .table-scroll { flex: 1 1 300px; }
    .chart-figure figcaption { font-size: .8rem; text-align: right; }
    details.data > summary { cursor: pointer; color: var(--muted); font-size: .85rem; }
    details.data table { margin-top: 6px; }
    table { border-collapse: collapse; font-size: .9rem; background: var(--paper); }
    th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }
    th { background: #eef0f2; position: sticky; top: 0; }
    .number { text-align: right; font-variant-numeric: tabular-nums; }
    tr.best td { font-weight: 700; }
    tr.chosen td { background: #fff1e0; }
    caption { text-align: left; font-weight: 600; padding: 4px 0; }
    .table-scroll { overflow: auto; max-height: 520px; border: 1px solid var(--line); border-radius: 8px; background: var(--paper); }
    .table-scroll table { width: 100%; }
    .table-scroll caption { padding: 6px 10px; }
    .notice { background: #fff8e1; border-left: 4px solid #E69F00; padding: 6px 10px; }
    .empty, .more { color: var(--muted); font-style: italic; }
    .toolbar { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; padding: 8px 12px; margin-bottom: 12px;
      background: var(--paper); border: 1px solid var(--line); border-radius: 8px; position: sticky; top: 0; z-index: 2; }
    .group { background: var(--paper); border: 1px solid var(--line); border-radius: 8px; margin: 10px 0; }
    .group > summary { padding: 8px 12px; cursor: pointer; }
    .group-body { padding: 0 12px 12px; }
    .keeper-line, .sheet { margin: 4px 0; }
    .sheet-failed { color: var(--warm); }
    .kind { display: inline-block; font-size: .75rem; font-weight: 600; padding: 1px 8px; margin-right: 6px; border: 1px solid; border-radius: 999px; }
    .kind-exact-bytes { color: #6b3600; background: #fdebd3; border-color: #E69F00; }
    .kind-identical-pixels { color: #00563d; background: #ddf2ea; border-color: #009E73; }
    .kind-near-duplicate { color: #00456b; background: #e1effa; border-color: #0072B2; }
    .thumbs { list-style: none; padding: 0; margin: 8px 0 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(168px, 1fr)); gap: 12px; }
    .item { position: relative; background: var(--paper); border: 1px solid var(--line); border-radius: 6px; padding: 6px; font-size: .8rem; }
    .item.keeper { border: 3px solid var(--keeper); padding: 4px; }
    .frame { display: flex; align-items: center; justify-content: center; height: 150px; border-radius: 4px; overflow: hidden; text-decoration: none;
      background-color: #ececec; background-image: linear-gradient(45deg, #f6f6f6 25%, transparent 25%, transparent 75%, #f6f6f6 75%),
      linear-gradient(45deg, #f6f6f6 25%, transparent 25%, transparent 75%, #f6f6f6 75%); background-size: 16px 16px; background-position: 0 0, 8px 8px; }
    .frame img { max-width: 100%; max-height: 150px; object-fit: contain; }
    .placeholder { color: var(--muted); font-style: italic; }
    .badge { background: var(--keeper); color: #ffffff; font-weight: 700; font-size: .75rem; padding: 2px 8px; border-radius: 999px; white-space: nowrap; }
    .item .badge { position: absolute; top: 10px; left: 10px; }
    .item p { margin: 0; }
    .item .name { margin-top: 6px; font-weight: 600; overflow-wrap: anywhere; }
    .item .folder { color: var(--muted); font-size: .72rem; overflow-wrap: anywhere; }
    .item .facts { font-variant-numeric: tabular-nums; }
    .item .note { color: var(--warm); }
    .flag-index { columns: 2 260px; padding-left: 20px; }
    .flag .count { background: #eceef0; border-radius: 999px; padding: 0 8px; font-size: .85rem; font-weight: 600; }
    .flag .check { margin: 0 0 8px; color: var(--muted); }
    footer { max-width: 1200px; margin: 0 auto; padding: 16px; color: var(--muted); font-size: .85rem; border-top: 1px solid var(--line); }
    @media print {
      .toolbar { display: none; }
      .group, .item, .chart-figure { break-inside: avoid; }
      .page-header { background: none; color: var(--ink); }
      .page-header code, .page-header nav a { color: var(--ink); }
    }

    """

    static let script = """
    // Vitrine report: filter and fold the duplicate groups. The page works without this script.
    (function () {
      "use strict";
      var bar = document.getElementById("group-filter");
      if (!bar) { return; }
      var kind = document.getElementById("group-kind");
      var text = document.getElementById("group-text");
      var count = document.getElementById("group-count");
      var groups = Array.prototype.slice.call(document.querySelectorAll("details.group"));
      function apply() {
        var wantedKind = kind.value;
        var wantedText = text.value.trim().toLowerCase();
        var shown = 0;
        groups.forEach(function (group) {
          var visible = (wantedKind === "" || group.getAttribute("data-kind") === wantedKind) &&
            (wantedText === "" || (group.getAttribute("data-search") || "").indexOf(wantedText) >= 0);
          group.hidden = !visible;
          if (visible) { shown += 1; }
        });
        count.textContent = shown + " of " + groups.length + " groups shown";
      }
      function setOpen(open) {
        groups.forEach(function (group) { if (!group.hidden) { group.open = open; } });
      }
      kind.addEventListener("change", apply);
      text.addEventListener("input", apply);
      document.getElementById("groups-expand").addEventListener("click", function () { setOpen(true); });
      document.getElementById("groups-collapse").addEventListener("click", function () { setOpen(false); });
      bar.hidden = false;
      apply();
    })();

    """
}
