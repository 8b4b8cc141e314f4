import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The official OpenAI API description (OpenAPI 3.1, MIT: LICENSE beside it), vendored so a fresh clone validates alone. */
export const DEFAULT_SPEC_PATH = path.resolve(REPO_ROOT, 'script/openai-standin/openapi/openapi.yaml');

export type SchemaName =
  | 'CreateTranscriptionRequest'
  | 'CreateChatCompletionRequest'
  | 'CreateSpeechRequest'
  | 'CreateChatCompletionStreamResponse'
  | 'CreateChatCompletionResponse'
  | 'CreateTranscriptionResponseJson'
  | 'ListModelsResponse';

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export type ValidationResult = { valid: true } | { valid: false; errors: string[]; body: OpenAIErrorBody };

export interface OpenApiValidator {
  /** Validates a JSON body (or a response) against one of the spec's component schemas. */
  validate(schema: SchemaName, data: unknown): ValidationResult;
  /**
   * Validates multipart form fields: strings are coerced to the schema's types the way OpenAI's
   * form parser does ("0.2" → 0.2, a single `include[]` → an array).
   */
  validateForm(schema: SchemaName, fields: Record<string, unknown>): ValidationResult;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// Keywords whose value is one schema, a list of schemas, or a map of name → schema. Everything
// else is data (enum, default, examples…), so a property that happens to be called "nullable"
// or "x-foo" inside `properties` is never mistaken for a keyword.
const SCHEMA_KEYWORDS = new Set([
  'items',
  'additionalProperties',
  'not',
  'if',
  'then',
  'else',
  'contains',
  'propertyNames',
  'unevaluatedItems',
  'unevaluatedProperties',
]);
const SCHEMA_LIST_KEYWORDS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
const SCHEMA_MAP_KEYWORDS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

/**
 * The spec is OpenAPI 3.1 (JSON Schema 2020-12) but still carries 3.0's `nullable: true` in places;
 * 2020-12 has no such keyword, so a null the API accepts would be refused. Rewrite it as a null union.
 */
function convertNullable(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(convertNullable);
  if (!isObject(schema)) return schema;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (SCHEMA_KEYWORDS.has(key)) out[key] = convertNullable(value);
    else if (SCHEMA_LIST_KEYWORDS.has(key) && Array.isArray(value)) out[key] = value.map(convertNullable);
    else if (SCHEMA_MAP_KEYWORDS.has(key) && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, convertNullable(sub)]));
    } else out[key] = value;
  }
  if (out.nullable !== true) return out;
  delete out.nullable;
  if (typeof out.type === 'string') out.type = [out.type, 'null'];
  else if (Array.isArray(out.type) && !out.type.includes('null')) out.type = [...out.type, 'null'];
  else if (out.type === undefined) return { anyOf: [out, { type: 'null' }] };
  if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  return out;
}

function collect(schema: Json, found: { keywords: Set<string>; formats: Set<string> }): void {
  if (Array.isArray(schema)) {
    for (const item of schema) collect(item, found);
    return;
  }
  if (!isObject(schema)) return;
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith('x-')) found.keywords.add(key);
    if (key === 'format' && typeof value === 'string') found.formats.add(value);
    if (SCHEMA_KEYWORDS.has(key) || SCHEMA_LIST_KEYWORDS.has(key)) collect(value, found);
    else if (SCHEMA_MAP_KEYWORDS.has(key) && isObject(value))
      for (const sub of Object.values(value)) collect(sub, found);
  }
}

/** "/messages/1/role" → "messages[1].role", the way OpenAI names a parameter in its errors. */
export function paramName(instancePath: string, extra?: string): string {
  const parts = instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  return parts.reduce((name, part) => (/^\d+$/.test(part) ? `${name}[${part}]` : name ? `${name}.${part}` : part), '');
}

function describe(error: ErrorObject): string {
  const where = paramName(error.instancePath) || '(body)';
  return `${where} ${error.message ?? error.keyword}${error.params && Object.keys(error.params).length ? ` ${JSON.stringify(error.params)}` : ''}`;
}

/** Turns ajv's errors into the single error OpenAI would answer with. */
function toOpenAIError(errors: readonly ErrorObject[]): OpenAIErrorBody {
  // anyOf/oneOf report every branch; the deepest error is the one that names the real mistake.
  const depth = (e: ErrorObject) => e.instancePath.split('/').length + (e.keyword === 'required' ? 1 : 0);
  // A oneOf keyed by a tag (messages by `role`) reports an enum error from every branch whose tag
  // differs; when the value is some branch's tag, those errors are noise and the real mistake is
  // elsewhere; when it is nobody's tag, the allowed values are the union over the branches.
  const allowedByPath = new Map<string, unknown[]>();
  for (const e of errors) {
    if (e.keyword !== 'enum') continue;
    const values = (e.params as { allowedValues?: unknown[] }).allowedValues ?? [];
    allowedByPath.set(e.instancePath, [...(allowedByPath.get(e.instancePath) ?? []), ...values]);
  }
  const ranked = errors.filter((e) => {
    if (['anyOf', 'oneOf', 'allOf', 'if'].includes(e.keyword)) return false;
    return !(e.keyword === 'enum' && (allowedByPath.get(e.instancePath) ?? []).includes(e.data));
  });
  // At equal depth a wrong tag explains more than the fields a wrong branch would have needed.
  ranked.sort((a, b) => depth(b) - depth(a) || Number(b.keyword === 'enum') - Number(a.keyword === 'enum'));
  const top = ranked[0] ?? errors[0];
  if (!top) return { error: { message: 'Invalid request.', type: 'invalid_request_error', param: null, code: null } };
  const params = top.params as Record<string, unknown>;
  if (top.keyword === 'required') {
    const param = paramName(top.instancePath, String(params.missingProperty));
    return {
      error: {
        message: `Missing required parameter: '${param}'.`,
        type: 'invalid_request_error',
        param,
        code: 'missing_required_parameter',
      },
    };
  }
  if (top.keyword === 'additionalProperties') {
    const param = paramName(top.instancePath, String(params.additionalProperty));
    return {
      error: {
        message: `Unrecognized request argument supplied: ${param}`,
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    };
  }
  const param = paramName(top.instancePath) || null;
  if (top.keyword === 'enum' || top.keyword === 'const') {
    const values = top.keyword === 'enum' ? (allowedByPath.get(top.instancePath) ?? []) : [params.allowedValue];
    const allowed = [...new Set(values)].map((v) => `'${String(v)}'`);
    return {
      error: {
        message: `Invalid value: '${String(top.data)}'. Supported values are: ${allowed.join(', ')}.`,
        type: 'invalid_request_error',
        param,
        code: 'invalid_value',
      },
    };
  }
  const message =
    top.keyword === 'type'
      ? `Invalid type for '${param ?? 'body'}': expected ${String(params.type)}.`
      : `Invalid value for '${param ?? 'body'}': ${top.message ?? top.keyword}.`;
  return {
    error: {
      message,
      type: 'invalid_request_error',
      param,
      code: top.keyword === 'type' ? 'invalid_type' : 'invalid_value',
    },
  };
}

const SPEC_ID = 'https://aitalk.invalid/openai-openapi.json';

const cache = new Map<string, Promise<OpenApiValidator>>();

/** Loads and compiles the spec once per process per path (parsing 3 MB of YAML takes a while). */
export function loadOpenApiValidator(specPath: string = DEFAULT_SPEC_PATH): Promise<OpenApiValidator> {
  let loaded = cache.get(specPath);
  if (!loaded) {
    loaded = build(specPath);
    cache.set(specPath, loaded);
    loaded.catch(() => cache.delete(specPath));
  }
  return loaded;
}

async function build(specPath: string): Promise<OpenApiValidator> {
  let text: string;
  try {
    text = await readFile(specPath, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the OpenAI OpenAPI description at ${specPath}: ${(error as Error).message}`);
  }
  const spec = parse(text) as Json;
  const schemas =
    isObject(spec) && isObject(spec.components) && isObject(spec.components.schemas)
      ? spec.components.schemas
      : undefined;
  if (!schemas) throw new Error(`${specPath} has no components.schemas`);
  const converted = convertNullable({ properties: schemas });
  const document = { $id: SPEC_ID, components: { schemas: isObject(converted) ? (converted.properties ?? {}) : {} } };

  const found = { keywords: new Set<string>(), formats: new Set<string>() };
  collect({ properties: schemas }, found);

  const makeAjv = (coerceTypes: false | 'array') => {
    // strictTypes/strictRequired would reject patterns the published spec legitimately uses
    // (e.g. `required` listing a property defined in another allOf branch).
    const ajv = new Ajv2020({ strict: false, allErrors: true, verbose: true, coerceTypes, validateSchema: false });
    addFormats.default(ajv);
    // OpenAPI's own annotations: declared so they are known keywords, and carry no validation.
    ajv.addVocabulary(['discriminator', 'example', 'xml', 'externalDocs', ...found.keywords]);
    for (const format of found.formats) {
      // OpenAPI-only formats (binary, double, unixtime…) describe representation, not constraints.
      if (!ajv.formats[format]) ajv.addFormat(format, true);
    }
    ajv.addSchema(document);
    return ajv;
  };
  const jsonAjv = makeAjv(false);
  const formAjv = makeAjv('array');

  const compiled = new Map<string, ValidateFunction>();
  const get = (ajv: Ajv2020, kind: string, schema: SchemaName): ValidateFunction => {
    const key = `${kind}:${schema}`;
    let fn = compiled.get(key);
    if (!fn) {
      fn = ajv.getSchema(`${SPEC_ID}#/components/schemas/${schema}`);
      if (!fn) throw new Error(`schema ${schema} not found in ${specPath}`);
      compiled.set(key, fn);
    }
    return fn;
  };
  const check = (fn: ValidateFunction, data: unknown): ValidationResult => {
    if (fn(data)) return { valid: true };
    const errors = fn.errors ?? [];
    return { valid: false, errors: errors.map(describe), body: toOpenAIError(errors) };
  };
  return {
    validate: (schema, data) => check(get(jsonAjv, 'json', schema), data),
    // Coercion writes into the object, so validate a copy and leave the recorded fields as sent.
    validateForm: (schema, fields) => check(get(formAjv, 'form', schema), structuredClone(fields)),
  };
}
