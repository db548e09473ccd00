/**
 * GitHub's published OpenAPI description (`@octokit/openapi`, api.github.com), used to check every
 * request the app sends to the simulator (route, path and query parameters, JSON body) and, on demand,
 * the simulator's own answers (the fields the 2xx schemas mark required).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

// ajv-formats is CommonJS with `exports.default`; under NodeNext its default import is the module.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

type Json = unknown;
type JsonObject = Record<string, unknown>;

/** An OpenAPI parameter (path or query), its `$ref` resolved. */
export interface ParameterSpec {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: JsonObject;
  "x-multi-segment"?: boolean;
}

/** One operation of the description. */
export interface OperationSpec {
  method: string;
  /** The path template, e.g. `/repos/{owner}/{repo}/git/ref/{ref}`. */
  template: string;
  operationId: string;
  parameters: ParameterSpec[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonObject }> };
  responses: Record<string, JsonObject>;
}

/** A request matched to an operation. */
export interface OperationMatch {
  operation: OperationSpec;
  /** Path parameters, each decoded (`heads%2Fmain` → `heads/main`). */
  params: Record<string, string>;
}

interface CompiledRoute {
  operation: OperationSpec;
  regex: RegExp;
  names: string[];
  literals: number;
  multiSegments: number;
}

const SCHEMA_DOC = "https://api.github.com/openapi.json";

const COMPONENT_REF = /^#\/components\//;

/**
 * Turns an OpenAPI 3.0 schema into JSON Schema that Ajv understands: `nullable` becomes a `null`
 * type (or an `anyOf` with `{ type: "null" }`), `$ref`s to components point into the schema document
 * added to Ajv, and `example`s are dropped.
 */
function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== "object") return node;
  const source = node as JsonObject;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === "example" || key === "examples" || key === "nullable" || key === "discriminator")
      continue;
    if (key === "$ref" && typeof value === "string" && COMPONENT_REF.test(value)) {
      out.$ref = SCHEMA_DOC + value;
      continue;
    }
    // `properties` holds names, not keywords: keep its keys, convert its values.
    if (key === "properties" && value !== null && typeof value === "object") {
      out.properties = Object.fromEntries(
        Object.entries(value as JsonObject).map(([name, schema]) => [name, toJsonSchema(schema)]),
      );
      continue;
    }
    out[key] = toJsonSchema(value);
  }
  if (source.nullable === true) {
    if (typeof out.type === "string") {
      out.type = [out.type, "null"];
      if (Array.isArray(out.enum) && !out.enum.includes(null))
        out.enum = [...(out.enum as Json[]), null];
      return out;
    }
    return { anyOf: [out, { type: "null" }] };
  }
  return out;
}

function escapePointer(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** Splits a path and percent-decodes each segment; undefined when a segment is malformed. */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** GitHub's description of api.github.com, indexed for matching requests. */
export class OpenApiDescription {
  readonly spec: JsonObject;
  /** Milliseconds spent reading and parsing the description. */
  readonly loadMs: number;
  readonly #routes: Map<string, CompiledRoute[]>;
  readonly #validators = new Map<string, ValidateFunction | null>();
  /** Schemas Ajv could not compile (their checks are skipped). */
  readonly uncompiled: string[] = [];
  #ajv: Ajv | undefined;

  private constructor(spec: JsonObject, loadMs: number) {
    this.spec = spec;
    this.loadMs = loadMs;
    this.#routes = this.#index();
  }

  static #loaded: OpenApiDescription | undefined;

  /** The description of api.github.com, read once per process (13 MB of JSON). */
  static load(): OpenApiDescription {
    if (OpenApiDescription.#loaded) return OpenApiDescription.#loaded;
    const started = performance.now();
    const require = createRequire(import.meta.url);
    const file = require.resolve("@octokit/openapi/generated/api.github.com.json");
    const spec = JSON.parse(readFileSync(file, "utf8")) as JsonObject;
    OpenApiDescription.#loaded = new OpenApiDescription(spec, performance.now() - started);
    return OpenApiDescription.#loaded;
  }

  #components(): JsonObject {
    return (this.spec.components ?? {}) as JsonObject;
  }

  /** Follows a `#/components/...` reference (possibly chained). */
  resolve<T>(node: T | { $ref: string }): T {
    let current: unknown = node;
    for (let hops = 0; hops < 10; hops++) {
      if (current === null || typeof current !== "object" || !("$ref" in current)) break;
      const ref = (current as { $ref: string }).$ref;
      const parts = ref.replace(/^#\//, "").split("/");
      let target: unknown = this.spec;
      for (const part of parts)
        target = (target as JsonObject | undefined)?.[part.replace(/~1/g, "/").replace(/~0/g, "~")];
      if (target === undefined) throw new Error(`unresolvable $ref ${ref}`);
      current = target;
    }
    return current as T;
  }

  #index(): Map<string, CompiledRoute[]> {
    const routes = new Map<string, CompiledRoute[]>();
    const paths = (this.spec.paths ?? {}) as Record<string, JsonObject>;
    for (const [template, item] of Object.entries(paths)) {
      const shared = ((item.parameters ?? []) as ParameterSpec[]).map((p) =>
        this.resolve<ParameterSpec>(p),
      );
      for (const [method, raw] of Object.entries(item)) {
        if (!["get", "post", "put", "patch", "delete", "head", "options"].includes(method))
          continue;
        const op = raw as JsonObject;
        const own = ((op.parameters ?? []) as ParameterSpec[]).map((p) =>
          this.resolve<ParameterSpec>(p),
        );
        const parameters = [
          ...shared.filter((s) => !own.some((o) => o.name === s.name && o.in === s.in)),
          ...own,
        ];
        const operation: OperationSpec = {
          method: method.toUpperCase(),
          template,
          operationId: (op.operationId as string | undefined) ?? `${method} ${template}`,
          parameters,
          ...(op.requestBody ? { requestBody: this.resolve(op.requestBody) } : {}),
          responses: (op.responses ?? {}) as Record<string, JsonObject>,
        };
        const segments = template.split("/").slice(1);
        const names: string[] = [];
        let literals = 0;
        let multiSegments = 0;
        const pattern = segments
          .map((segment, i) => {
            const param = /^\{([^}]+)\}$/.exec(segment);
            if (!param) {
              literals++;
              return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
            }
            const name = param[1] as string;
            names.push(name);
            const spec = parameters.find((p) => p.name === name && p.in === "path");
            // A multi-segment parameter (or a git ref at the end of a path) may be sent with literal
            // slashes; Octokit sends `%2F`.
            const multi =
              spec?.["x-multi-segment"] === true || (i === segments.length - 1 && name === "ref");
            if (multi) multiSegments++;
            return multi ? "(.+)" : "([^/]+)";
          })
          .join("/");
        const route: CompiledRoute = {
          operation,
          regex: new RegExp(`^/${pattern}/?$`),
          names,
          literals,
          multiSegments,
        };
        const list = routes.get(operation.method) ?? [];
        list.push(route);
        routes.set(operation.method, list);
      }
    }
    // Most specific first: more literal segments, then fewer multi-segment parameters.
    for (const list of routes.values())
      list.sort((a, b) => b.literals - a.literals || a.multiSegments - b.multiSegments);
    return routes;
  }

  /** The operation a request is for (path without query and without `/api/v3`), if any. */
  match(method: string, path: string): OperationMatch | undefined {
    for (const route of this.#routes.get(method.toUpperCase()) ?? []) {
      const found = route.regex.exec(path);
      if (!found) continue;
      const params: Record<string, string> = {};
      let ok = true;
      route.names.forEach((name, i) => {
        const value = decodeSegment(found[i + 1] ?? "");
        if (value === undefined) ok = false;
        else params[name] = value;
      });
      if (ok) return { operation: route.operation, params };
    }
    return undefined;
  }

  /** The operation with this method and path template. */
  operation(method: string, template: string): OperationSpec | undefined {
    return this.#routes
      .get(method.toUpperCase())
      ?.find((route) => route.operation.template === template)?.operation;
  }

  /**
   * What is wrong with a request, GitHub-wise: path parameters of the wrong type, required query
   * parameters missing or of the wrong type or outside their enum, a body that does not fit the
   * schema. Empty when the request is valid. `warnings` receives what GitHub would ignore silently
   * (unknown query parameters, unknown top-level body fields).
   */
  validateRequest(
    match: OperationMatch,
    query: URLSearchParams,
    body: { present: boolean; json: unknown },
    warnings: string[] = [],
  ): string[] {
    const problems: string[] = [];
    const { operation } = match;
    for (const param of operation.parameters) {
      if (param.in === "path") {
        const value = match.params[param.name];
        if (value === undefined || value === "")
          problems.push(`path parameter "${param.name}" is empty`);
        else problems.push(...checkScalar(`path parameter "${param.name}"`, value, param.schema));
      } else if (param.in === "query") {
        const values = [...query.getAll(param.name), ...query.getAll(`${param.name}[]`)];
        if (values.length === 0) {
          if (param.required) problems.push(`required query parameter "${param.name}" is missing`);
          continue;
        }
        const schema = param.schema;
        if (schema?.type === "array") {
          const items = this.resolve((schema.items ?? {}) as JsonObject);
          for (const value of values.flatMap((v) => v.split(",")))
            problems.push(...checkScalar(`query parameter "${param.name}"`, value, items));
        } else {
          for (const value of values)
            problems.push(...checkScalar(`query parameter "${param.name}"`, value, schema));
        }
      }
    }
    const known = new Set(
      operation.parameters.filter((p) => p.in === "query").flatMap((p) => [p.name, `${p.name}[]`]),
    );
    for (const name of new Set(query.keys()))
      if (!known.has(name)) warnings.push(`unknown query parameter "${name}"`);

    const requestBody = operation.requestBody;
    if (!body.present) {
      if (requestBody?.required)
        problems.push("the request has no body, and the operation requires one");
      return problems;
    }
    if (requestBody === undefined) {
      if (body.json !== undefined && !isEmptyObject(body.json))
        warnings.push("a body was sent to an operation that takes none");
      return problems;
    }
    const schema = requestBody.content?.["application/json"]?.schema;
    if (schema === undefined) return problems;
    const validate = this.#validator(`${operation.method} ${operation.template} request`, schema);
    if (validate && !validate(body.json)) problems.push(...describeErrors("body", validate));
    const resolved = this.resolve(schema);
    if (
      resolved.type === "object" &&
      resolved.properties &&
      body.json !== null &&
      typeof body.json === "object" &&
      !Array.isArray(body.json)
    ) {
      const names = new Set(Object.keys(resolved.properties));
      for (const key of Object.keys(body.json)) {
        if (!names.has(key)) warnings.push(`unknown body field "${key}"`);
      }
    }
    return problems;
  }

  /** The JSON schema of an operation's answer with `status` (or its `default`), if it has one. */
  responseSchema(operation: OperationSpec, status: number): JsonObject | undefined {
    const response = operation.responses[String(status)] ?? operation.responses.default;
    if (response === undefined) return undefined;
    const resolved = this.resolve<JsonObject>(response);
    const content = resolved.content as Record<string, { schema?: JsonObject }> | undefined;
    return content?.["application/json"]?.schema;
  }

  /**
   * What is wrong with an answer: a status the operation does not document, or a body without the
   * fields (or with values of other types than) the response schema describes. Empty when it fits.
   */
  validateResponse(operation: OperationSpec, status: number, body: unknown): string[] {
    if (!(String(status) in operation.responses) && !("default" in operation.responses))
      return [`status ${status} is not documented for ${operation.method} ${operation.template}`];
    const schema = this.responseSchema(operation, status);
    if (schema === undefined) return [];
    const validate = this.#validator(`${operation.method} ${operation.template} ${status}`, schema);
    if (!validate || validate(body)) return [];
    return describeErrors("response", validate);
  }

  #ajvInstance(): Ajv {
    if (this.#ajv) return this.#ajv;
    const ajv = new Ajv({
      strict: false,
      allErrors: true,
      validateSchema: false,
      logger: false,
      // Types as declared: no coercion, no defaults written into the data.
      coerceTypes: false,
      useDefaults: false,
    });
    addFormats(ajv);
    for (const format of ["repo.nwo", "timestamp", "uri-template", "binary"])
      ajv.addFormat(format, true);
    const components = this.#components();
    ajv.addSchema({ $id: SCHEMA_DOC, components: { schemas: toJsonSchema(components.schemas) } });
    this.#ajv = ajv;
    return ajv;
  }

  /** An Ajv validator for an operation schema, compiled on first use and cached. */
  #validator(key: string, schema: JsonObject): ValidateFunction | null {
    if (this.#validators.has(key)) return this.#validators.get(key) ?? null;
    let validate: ValidateFunction | null;
    try {
      validate = this.#ajvInstance().compile(toJsonSchema(schema) as JsonObject);
    } catch (error) {
      // A schema Ajv cannot compile is not the app's fault: skip the check, and say so.
      this.uncompiled.push(`${key}: ${error instanceof Error ? error.message : String(error)}`);
      validate = null;
    }
    this.#validators.set(key, validate);
    return validate;
  }

  /** Compiles a component schema by name (tests). */
  componentValidator(name: string): ValidateFunction {
    return this.#ajvInstance().compile({
      $ref: `${SCHEMA_DOC}#/components/schemas/${escapePointer(name)}`,
    });
  }
}

function isEmptyObject(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    Object.keys(value).length === 0
  );
}

/** Checks a path or query string value against a scalar schema (type and enum). */
function checkScalar(label: string, value: string, schema: JsonObject | undefined): string[] {
  if (schema === undefined) return [];
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const problems: string[] = [];
  if (types.includes("integer") && !types.includes("string") && !/^-?\d+$/.test(value))
    problems.push(`${label} must be an integer (got "${value}")`);
  else if (types.includes("number") && !types.includes("string") && Number.isNaN(Number(value)))
    problems.push(`${label} must be a number (got "${value}")`);
  else if (types.includes("boolean") && !["true", "false"].includes(value))
    problems.push(`${label} must be true or false (got "${value}")`);
  if (Array.isArray(schema.enum) && !schema.enum.map(String).includes(value))
    problems.push(`${label} must be one of ${schema.enum.join(", ")} (got "${value}")`);
  return problems;
}

/** Ajv's errors as readable lines, most specific first, without the noise of failed `anyOf` branches. */
function describeErrors(root: string, validate: ValidateFunction): string[] {
  const lines = (validate.errors ?? []).map((error) => {
    const where = `${root}${error.instancePath.replace(/\//g, ".")}`;
    const detail =
      error.keyword === "enum"
        ? `${error.message}: ${(error.params as { allowedValues: unknown[] }).allowedValues.join(", ")}`
        : error.keyword === "additionalProperties"
          ? `${error.message}: ${(error.params as { additionalProperty: string }).additionalProperty}`
          : (error.message ?? error.keyword);
    return `${where} ${detail}`;
  });
  return [...new Set(lines)].slice(0, 20);
}
