import { defineConfig } from 'wxt';
import base from '../../wxt.config.ts';

// The bench builds into its own folder, so rebuilding never swaps the extension out from under
// an end-to-end run that is using .output/chrome-mv3 at the same moment.
export default defineConfig({ ...base, outDir: '.output/bench' });
