/* `runtime-lens agent --stdio`: the JSON-RPC server on stdin/stdout. */
export async function runStdioAgent(): Promise<number> {
  process.stderr.write('runtime-lens: agent --stdio is not available in this build yet\n');
  return 1;
}
