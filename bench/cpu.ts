/**
 * CPU time spent by the two halves of the local stack while a bench phase runs: this process
 * (the load generator, the API gateway, the Lambda workers, the Step Functions server, the
 * stream pollers: all Node, one process) and DynamoDB Local (its JVM). On a shared machine the
 * wall-clock rates move with the neighbours' load; CPU milliseconds per operation move less.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface CpuSample {
  node: number;
  java: number;
}

/** The JVM serving `endpoint` (its command line carries `-port <port>`); undefined off Linux. */
export function dynamoDbPid(endpoint: string): number | undefined {
  const port = new URL(endpoint).port;
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
        const at = args.indexOf('-port');
        if (at !== -1 && args[at + 1] === port && args.some((a) => a.includes('DynamoDBLocal'))) {
          return Number(entry);
        }
      } catch {
        // gone meanwhile
      }
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** Milliseconds of CPU (user + system) so far. */
export function cpuNow(javaPid: number | undefined): CpuSample {
  const usage = process.cpuUsage();
  let java = Number.NaN;
  if (javaPid !== undefined) {
    try {
      // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised name): utime, stime in ticks.
      const stat = readFileSync(`/proc/${javaPid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      java = ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    } catch {
      // not Linux, or gone
    }
  }
  return { node: (usage.user + usage.system) / 1000, java };
}

/** CPU milliseconds per operation between two samples. */
export function cpuPer(before: CpuSample, after: CpuSample, operations: number): CpuSample {
  return {
    node: (after.node - before.node) / Math.max(1, operations),
    java: (after.java - before.java) / Math.max(1, operations),
  };
}

export function describeCpu(cpu: CpuSample): string {
  return `Node ${cpu.node.toFixed(1)} ms + DynamoDB Local ${cpu.java.toFixed(1)} ms CPU`;
}
