// bench/lib/measure.ts's cpuSnapshot counts a child that has ended as this process's CPU time, so
// the bench's own PyTorch and workerd runs do not read as other processes on a quiet machine.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { cpuSnapshot } from "../../bench/lib/measure.js";

describe.skipIf(!existsSync("/proc/self/stat"))("cpuSnapshot", () => {
  it("counts an ended child's CPU time as this process's", () => {
    const a = cpuSnapshot();
    // a child that spins for 300 ms of CPU time
    execFileSync(process.execPath, [
      "-e",
      "const u=()=>{const c=process.cpuUsage();return (c.user+c.system)/1000};const t=u();while(u()-t<300){}",
    ]);
    const b = cpuSnapshot();
    // 10 ms ticks, and node's own start-up adds to it
    expect(b.self - a.self).toBeGreaterThanOrEqual(280);
  });
});
