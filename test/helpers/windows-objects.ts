// Reads what an eBPF for Windows object (bpf/windows/.output/*.o) holds, with
// the LLVM and bpftool of this machine: its program sections, the helper ids
// each program calls, and its BTF-defined maps.
import { execFileSync } from 'node:child_process';

export interface WinMap { name: string; type?: number; maxEntries?: number; pinning?: number }

/** Program sections (executable, not .text) and the helper ids each calls. */
export function programHelpers(object: string): Map<string, number[]> {
  const raw = execFileSync('llvm-objdump', ['-d', object], { encoding: 'utf8' });
  const sections = new Map<string, number[]>();
  let current: number[] | undefined;
  for (const line of raw.split('\n')) {
    const sec = /^Disassembly of section (.+):$/.exec(line);
    if (sec) {
      current = [];
      sections.set(sec[1], current);
      continue;
    }
    // a helper call is opcode 0x85 with src_reg 0 (src_reg 1 is a call to a function of the object)
    const call = /:\s+85 00 (?:[0-9a-f]{2} ){2}([0-9a-f]{2}) ([0-9a-f]{2}) ([0-9a-f]{2}) ([0-9a-f]{2})\s+call/.exec(line);
    if (call && current) current.push(Buffer.from(call.slice(1, 5).join(''), 'hex').readUInt32LE(0));
  }
  return sections;
}

interface BtfType { id: number; kind: string; name?: string; type_id?: number; nr_elems?: number; members?: Array<{ name: string; type_id: number }>; vars?: Array<{ type_id: number }> }

/** The maps of the object's .maps section, as its BTF defines them. */
export function btfMaps(object: string): WinMap[] {
  const { types } = JSON.parse(execFileSync('bpftool', ['-j', 'btf', 'dump', 'file', object], { encoding: 'utf8' })) as { types: BtfType[] };
  const byId = new Map(types.map((t) => [t.id, t]));
  const resolve = (id: number): BtfType | undefined => {
    let t = byId.get(id);
    while (t && ['TYPEDEF', 'CONST', 'VOLATILE'].includes(t.kind)) t = byId.get(t.type_id!);
    return t;
  };
  // __uint(name, val) is `int (*name)[val]`: the number is the array's length
  const number = (typeId: number): number | undefined => {
    const ptr = resolve(typeId);
    const arr = ptr?.kind === 'PTR' ? resolve(ptr.type_id!) : undefined;
    return arr?.kind === 'ARRAY' ? arr.nr_elems : undefined;
  };
  const sec = types.find((t) => t.kind === 'DATASEC' && t.name === '.maps');
  return (sec?.vars ?? []).map(({ type_id }) => {
    const v = byId.get(type_id)!;
    const st = resolve(v.type_id!);
    const field = (n: string) => { const m = st?.members?.find((x) => x.name === n); return m ? number(m.type_id) : undefined; };
    return { name: v.name!, type: field('type'), maxEntries: field('max_entries'), pinning: field('pinning') };
  });
}
