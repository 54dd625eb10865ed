#!/usr/bin/env node
// Runs the bundled CLI (dist/, built by tools/build.ts: `npm run build`, and by `npm ci` through the prepare script).
import '../dist/cli/bin.js';
