package relay

// consoleHTML are the console's pages (html/template: every value is
// escaped for where it lands).
const consoleHTML = `
{{define "head"}}<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · leadkit relay</title>
<link rel="stylesheet" href="console.css">
</head>
<body>
<header><a class="home" href="./">leadkit relay</a>
<nav><a href="list?state=needs_review">Needs review</a> <a href="list?state=failed">Failed</a> <a href="list?order=newest">All deliveries</a></nav>
{{with .Access}}<span class="who">{{.Operator}}{{if not .PersonalData}} · personal data hidden{{end}}{{if not .Resolve}} · read only{{end}}</span>{{end}}
</header>
<main>
<h1>{{.Title}}</h1>
{{end}}

{{define "foot"}}</main>
</body>
</html>
{{end}}

{{define "error"}}{{template "head" .}}
<p class="problem">{{.Message}}</p>
<p><a href="./">Back to the overview</a></p>
{{template "foot" .}}{{end}}

{{define "overview"}}{{template "head" .}}
<p class="lead">{{if .Review}}<a class="badge review" href="list?state=needs_review">{{.Review}} {{if eq .Review 1}}needs{{else}}need{{end}} review</a>{{else}}<span class="badge ok">nothing needs review</span>{{end}}
{{if .Failed}}<a class="badge failed" href="list?state=failed">{{.Failed}} failed</a>{{end}}</p>
<table class="counts">
<thead><tr><th>vendor</th>{{range .States}}<th class="n">{{label .}}</th>{{end}}<th class="n">total</th></tr></thead>
<tbody>
{{range $r := .Rows}}<tr{{if not $r.Vendor}} class="total"{{end}}><th>{{vendorName $r.Vendor}}</th>
{{range $i, $n := $r.Counts}}{{$s := index $.States $i}}<td class="n">{{if $n}}<a class="s-{{$s}}" href="list?state={{$s}}{{if $r.Vendor}}&amp;vendor={{$r.Vendor}}{{end}}">{{$n}}</a>{{else}}<span class="zero">0</span>{{end}}</td>{{end}}
<td class="n">{{if $r.Total}}<a href="list?order=newest{{if $r.Vendor}}&amp;vendor={{$r.Vendor}}{{end}}">{{$r.Total}}</a>{{else}}<span class="zero">0</span>{{end}}</td></tr>
{{end}}</tbody>
</table>
{{template "foot" .}}{{end}}

{{define "list"}}{{template "head" .}}
<form class="filter" method="get" action="list">
<label>state <select name="state"><option value="">any</option>{{range .States}}<option value="{{.}}"{{if eq (print .) $.State}} selected{{end}}>{{label .}}</option>{{end}}</select></label>
<label>vendor <select name="vendor"><option value="">any</option>{{range .Vendors}}<option value="{{.}}"{{if eq (print .) $.Vendor}} selected{{end}}>{{.}}</option>{{end}}</select></label>
<label>order <select name="order"><option value="">oldest first</option><option value="newest"{{if .Newest}} selected{{end}}>newest first</option></select></label>
<button type="submit">Show</button>
</form>
{{if .Page}}<table class="list">
<thead><tr><th>key</th><th>vendor</th><th>state</th><th class="n">attempts</th><th>enqueued</th><th>updated</th></tr></thead>
<tbody>
{{range .Page}}<tr><td><a href="delivery?key={{.Key}}">{{.Key}}</a></td><td>{{.Vendor}}</td><td><span class="state s-{{.State}}">{{label .State}}</span></td><td class="n">{{.Attempts}}</td><td>{{when .Enqueued}}</td><td>{{when .Updated}}</td></tr>
{{end}}</tbody>
</table>{{else}}<p>No delivery{{if .Resumed}} after this point{{end}}.</p>{{end}}
{{if .Next}}<p><a class="next" href="{{.Next}}">Next page</a></p>{{end}}
{{template "foot" .}}{{end}}

{{define "delivery"}}{{template "head" .}}
{{if .Done}}<p class="done">{{.Done}}</p>{{end}}
{{if .Problem}}<p class="problem">{{.Problem}}</p>{{end}}
{{with .D}}<dl class="facts">
<dt>state</dt><dd><span class="state s-{{.State}}" id="state">{{label .State}}</span>{{if .Reconciled}} (reconciled: proved by a lookup){{end}}</dd>
<dt>vendor</dt><dd>{{.Vendor}}</dd>
{{if .VendorID}}<dt>vendor id</dt><dd id="vendor-id">{{.VendorID}}</dd>{{end}}
{{if .VendorRef}}<dt>vendor record</dt><dd>{{.VendorRef}}</dd>{{end}}
<dt>attempts</dt><dd>{{.Attempts}} sent to the vendor</dd>
<dt>enqueued</dt><dd>{{when .Enqueued}}</dd>
<dt>updated</dt><dd>{{when .Updated}}</dd>
<dt>River's job</dt><dd id="river-job">{{$.River}}</dd>
</dl>{{end}}
{{if .D.Review}}<h2>Review note</h2>
{{if .Access.PersonalData}}<p class="note">{{.D.Review}}</p>{{else}}<p class="hidden">Hidden: it may name the lead's personal data, which your access does not include.</p>{{end}}{{end}}
{{if and .Access.PersonalData .D.LastError}}<h2>Last error</h2><p class="error">{{.D.LastError}}</p>{{end}}
<h2>What to check at the vendor</h2>
{{if and .Access.PersonalData .Check}}<p class="check">{{.Check}}.</p>{{end}}
<p class="guide">{{.Guide}}</p>
{{if .Open}}{{if .Access.Resolve}}<div class="actions">
<form method="post" action="mark"><input type="hidden" name="csrf" value="{{.CSRF}}"><input type="hidden" name="key" value="{{.D.Key}}">
<label>vendor id <input type="text" name="vendor_id" id="vendor_id" required maxlength="200" autocomplete="off"></label>
<button type="submit" id="mark">Mark delivered</button></form>
<form method="post" action="resend"><input type="hidden" name="csrf" value="{{.CSRF}}"><input type="hidden" name="key" value="{{.D.Key}}">
<button type="submit" id="resend">Resend</button></form>
</div>{{else}}<p class="hidden">Resolving deliveries is not in your access.</p>{{end}}{{end}}
<h2>Attempts recorded by River</h2>
{{if .Attempts}}<table class="list"><thead><tr><th class="n">#</th><th>at</th><th>error</th></tr></thead><tbody>
{{range .Attempts}}<tr><td class="n">{{.N}}</td><td>{{when .At}}</td><td>{{if $.Access.PersonalData}}{{.Error}}{{else}}<span class="hidden">hidden</span>{{end}}</td></tr>
{{end}}</tbody></table>{{else}}<p>No failed attempt recorded.</p>{{end}}
<h2>The job as enqueued</h2>
{{if .Access.PersonalData}}{{if .D.Job}}<pre class="job" id="job">{{.Job}}</pre>{{else}}<p>Not kept.</p>{{end}}{{else}}<p class="hidden">Hidden: the lead's personal data is not in your access.</p>{{end}}
{{template "foot" .}}{{end}}
`

// consoleCSS is the console's one style sheet (served by the console, so
// that the Content-Security-Policy allows nothing else).
const consoleCSS = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{display:flex;gap:1.5em;align-items:center;padding:.7em 1.5em;background:#1d2330;color:#e8eaef}
header a{color:#e8eaef;text-decoration:none}header a.home{font-weight:600}nav a{margin-right:1em}
.who{margin-left:auto;color:#aab1c0}
main{padding:1em 1.5em;max-width:72em}
h1{font-size:1.35em;margin:.3em 0 .8em;word-break:break-all}h2{font-size:1.05em;margin:1.4em 0 .4em}
table{border-collapse:collapse;background:#fff;box-shadow:0 1px 2px #0002}
th,td{padding:.35em .8em;border-bottom:1px solid #e3e6eb;text-align:left}td.n,th.n{text-align:right}
tr.total th,tr.total td{font-weight:600;border-top:2px solid #c9ced8}
a{color:#2456c7}.zero{color:#b5bbc6}
.badge{display:inline-block;padding:.25em .7em;border-radius:1em;margin-right:.5em;text-decoration:none;font-weight:600}
.badge.review{background:#fff0c2;color:#7a5300}.badge.failed{background:#fde0e0;color:#9b1c1c}.badge.ok{background:#dff5e3;color:#1d6b33}
.state{padding:.1em .5em;border-radius:.3em;background:#eef0f4}
.s-needs_review{background:#fff0c2;color:#7a5300}.s-failed{background:#fde0e0;color:#9b1c1c}.s-delivered{background:#dff5e3;color:#1d6b33}
dl.facts{display:grid;grid-template-columns:9em 1fr;gap:.2em 1em;background:#fff;padding:.8em 1em;box-shadow:0 1px 2px #0002}
dt{color:#5b6476}dd{margin:0;word-break:break-all}
.note,.check,.guide,.error{background:#fff;padding:.6em .9em;border-left:3px solid #c9ced8;margin:.4em 0}
.note{border-color:#e0a800}.error{border-color:#d33}
.hidden{color:#6b7385;font-style:italic}
.done{background:#dff5e3;padding:.6em .9em}.problem{background:#fde0e0;padding:.6em .9em;word-break:break-word}
.actions{display:flex;gap:1.5em;align-items:end;margin:1em 0;padding:.8em 1em;background:#fff;box-shadow:0 1px 2px #0002}
input[type=text]{padding:.3em;width:14em}button{padding:.35em .9em;cursor:pointer}
pre.job{background:#fff;padding:.8em 1em;overflow:auto;box-shadow:0 1px 2px #0002;white-space:pre-wrap;word-break:break-all}
form.filter{margin-bottom:1em}form.filter label{margin-right:1em}
`
