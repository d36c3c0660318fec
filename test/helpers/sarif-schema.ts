// SARIF 2.1.0 validation against the OASIS schema as the npm package @microsoft/jest-sarif ships it
// (lib/schemas/sarif-2.1.0-rtm.5.json, a JSON Schema draft-04 document), with ajv and its formats.
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import schema from '@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json';

// the schema's language-tag pattern is not valid under the `u` flag, so patterns compile without it
const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(schema);

/** The schema's complaints about a SARIF log (none: it is valid SARIF 2.1.0). */
export function sarifErrors(log: unknown): string[] {
  if (validate(log)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}
