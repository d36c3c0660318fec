/* `runtime-lens doctor`. */
export async function doctorCommand(_args: string[]): Promise<number> {
  process.stderr.write('runtime-lens: doctor is not available in this build yet\n');
  return 1;
}
