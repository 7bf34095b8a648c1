// Preloaded into s3rver (`node -r ./stop-with-parent.js ...`) by the test fixtures: exit when stdin closes,
// i.e. when the test process that started this server ends, even if it crashed before stopping it.
'use strict';
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
