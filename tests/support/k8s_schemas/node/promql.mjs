// Parses PromQL expressions with the Prometheus project's own grammar: @prometheus-io/lezer-promql 0.301.0 is
// prometheus/prometheus@v3.1.0 web/ui/module/lezer-promql (package.json:3), the Prometheus kube-prometheus-stack
// 67.8.0 runs (charts/kube-prometheus-stack/values.yaml:3654-3655). The parser recovers from errors by inserting
// error nodes; each one's offset is reported.
// stdin: a JSON array of expressions; stdout: a JSON array of [index, [offsets]] for those that do not parse.
import { readFileSync } from "node:fs";
import { parser } from "@prometheus-io/lezer-promql";

const expressions = JSON.parse(readFileSync(0, "utf8"));
const failed = [];
expressions.forEach((expr, index) => {
  const offsets = [];
  parser.parse(expr).iterate({ enter: (node) => { if (node.type.isError) offsets.push(node.from); } });
  if (offsets.length) failed.push([index, offsets]);
});
process.stdout.write(JSON.stringify(failed));
