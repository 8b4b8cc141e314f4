// SPDX-License-Identifier: MIT
/** The companion's fixed, documented default port (README, extension defaults). */
export const DEFAULT_COMPANION_PORT = 8730;
