import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

/**
 * Starts a Node process that serves HTTP (`PORT=0` unless `env` says otherwise) and resolves once its
 * `listening` log line names the port; rejects with what it printed if it exits first.
 *
 * @example
 * const { child, port } = await spawnServer(['--import', 'tsx', 'triggers/local/main.ts'], env);
 */
export async function spawnServer(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcessWithoutNullStreams; port: number }> {
  const child = spawn(process.execPath, args, { env: { PORT: '0', ...env, LOG_LEVEL: 'info' } });
  child.stderr.pipe(process.stderr);
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"msg":"listening".*?"port":(\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}: ${output}`)));
  });
  return { child, port };
}
