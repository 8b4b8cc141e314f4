/**
 * A script's command line: its options, or null once it has answered --help (exit 0) or said what is wrong with
 * the arguments and how to call it (exit code 2).
 */
export function readOptions<T>(parse: (args: string[]) => T | null, usage: string): T | null {
  try {
    const options = parse(process.argv.slice(2));
    if (!options) console.info(usage);
    return options;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    console.error(usage);
    process.exitCode = 2;
    return null;
  }
}
