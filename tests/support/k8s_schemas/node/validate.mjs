// Validates CRD objects against the @kubernetes-models/* schemas, rejecting unknown fields.
//
// stdin:  a JSON array of Kubernetes objects.
// stdout: a JSON array of error strings, each prefixed with "Kind/name:" (empty = all valid).
//
// The packages validate with ajv-compiled functions (the JSON schemas themselves are not shipped,
// only code generated from them), and those schemas do not set additionalProperties: false, so a
// misspelt key passes. The strict check therefore traces the compiled validator: the object is
// wrapped in Proxies recording which keys the validator reads at every node (one read per property
// the schema declares, across $refs into other modules and packages). Afterwards any key the
// validator never read is an unknown field, except at nodes whose schema leaves keys open: maps
// (the validator enumerates the keys: additionalProperties) and free-form objects such as
// RawExtension / preserve-unknown-fields (the validator reads nothing at all).

// A group may span packages (argoproj.io: Rollouts, Workflows and Argo CD's Application): the first that exports
// the kind is used.
const PACKAGES = {
  "argoproj.io": ["@kubernetes-models/argo-rollouts", "@kubernetes-models/argo-workflows", "@kubernetes-models/argo-cd"],
  "keda.sh": ["@kubernetes-models/keda"],
  "gateway.networking.k8s.io": ["@kubernetes-models/gateway-api"],
  "monitoring.coreos.com": ["@kubernetes-models/prometheus-operator"],
  "cert-manager.io": ["@kubernetes-models/cert-manager"],
};

/** Finds the Model class of a kind, or returns an error string. */
async function modelClass(apiVersion, kind) {
  const group = String(apiVersion).split("/")[0];
  const safe = /^[a-z0-9.-]+\/v[0-9a-z]+$/.test(apiVersion) && /^[A-Z][A-Za-z0-9]*$/.test(kind);
  for (const pkg of safe ? PACKAGES[group] ?? [] : []) {
    try {
      const mod = await import(`${pkg}/${apiVersion}/${kind}`);
      const cls = mod[kind];
      if (cls && cls.apiVersion === apiVersion && cls.kind === kind) return cls;
    } catch (err) {
      if (err?.code !== "ERR_PACKAGE_PATH_NOT_EXPORTED" && err?.code !== "ERR_MODULE_NOT_FOUND") throw err;
    }
  }
  return `no schema known for apiVersion ${apiVersion} kind ${kind}`;
}

/** Wraps a value so that the keys read by the validator are recorded per object node. */
function tracer() {
  const records = new WeakMap(); // target object -> { read: Set<string>, enumerated: boolean }
  const proxies = new WeakMap();
  function wrap(value) {
    if (value === null || typeof value !== "object") return value;
    const cached = proxies.get(value);
    if (cached) return cached;
    const rec = { read: new Set(), enumerated: false };
    records.set(value, rec);
    const proxy = new Proxy(value, {
      get(target, key, receiver) {
        if (typeof key === "string") rec.read.add(key);
        return wrap(Reflect.get(target, key, receiver));
      },
      has(target, key) {
        if (typeof key === "string") rec.read.add(key);
        return Reflect.has(target, key);
      },
      ownKeys(target) {
        rec.enumerated = true;
        return Reflect.ownKeys(target);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  }
  return { wrap, records };
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function join(path, key) {
  if (typeof key === "number") return `${path}[${key}]`;
  if (!IDENT.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path ? `${path}.${key}` : key;
}

/** Reports keys the traced validator never read; recurses only where it read. */
function unknownFields(value, path, records, out) {
  if (value === null || typeof value !== "object") return;
  const rec = records.get(value);
  if (!rec) return; // never handed to a validator: its parent already reports it
  if (Array.isArray(value)) {
    value.forEach((item, i) => unknownFields(item, join(path, i), records, out));
    return;
  }
  const open = rec.enumerated || rec.read.size === 0;
  for (const key of Object.keys(value)) {
    if (!open && !rec.read.has(key)) out.push(`${join(path, key)}: unknown field`);
    else unknownFields(value[key], join(path, key), records, out);
  }
}

/** Turns an ajv instancePath ("/spec/steps/0/x") into "spec.steps[0].x" using the data's shape. */
function dotted(data, instancePath) {
  let path = "";
  let cur = data;
  for (const raw of instancePath.split("/").slice(1)) {
    const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    const key = Array.isArray(cur) && /^\d+$/.test(seg) ? Number(seg) : seg;
    path = join(path, key);
    cur = cur != null && typeof cur === "object" ? cur[key] : undefined;
  }
  return path || "(root)";
}

function describe(err) {
  let msg = err.message ?? err.keyword;
  if (err.keyword === "enum") msg += ` ${JSON.stringify(err.params.allowedValues)}`;
  return msg;
}

async function validateOne(obj) {
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) return ["(not an object): must be an object"];
  const prefix = `${obj.kind ?? "<no kind>"}/${obj.metadata?.name ?? "<no name>"}`;
  const cls = await modelClass(obj.apiVersion, obj.kind);
  if (typeof cls === "string") return [`${prefix}: ${cls}`];
  const model = new cls(obj); // the documented API: new Rollout(obj).validate()
  const { wrap, records } = tracer();
  const errors = [];
  try {
    cls.prototype.validate.call(wrap(model));
  } catch (err) {
    if (!Array.isArray(err?.errors)) throw err;
    for (const e of err.errors) errors.push(`${prefix}: ${dotted(model, e.instancePath)}: ${describe(e)}`);
  }
  const unknown = [];
  unknownFields(model, "", records, unknown);
  return [...errors, ...unknown.map((u) => `${prefix}: ${u}`)];
}

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const objs = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  if (!Array.isArray(objs)) throw new Error("stdin must be a JSON array of objects");
  const out = [];
  for (const obj of objs) out.push(...(await validateOne(obj)));
  process.stdout.write(JSON.stringify(out));
}

main().catch((err) => {
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.exit(2);
});
