/** The build daemon's process, started by daemon-client.ts: `node daemon-entry.js <socket> <tsconfig>`. */
import { serveDaemon } from './daemon-server.js';

serveDaemon(process.argv[2]!, process.argv[3]!);
