#!/usr/bin/env node
// The executable given to @vscode/test-electron's runTests as `vscodeExecutablePath`; the logic is
// in launcher.ts (compiled by `npx tsc -p .` to out/test/harness/launcher.js).
'use strict';
require('../../out/test/harness/launcher.js');
