// The eBPF for Windows programs (bpf/windows) built here with clang, inspected
// as a Windows loader would see them: the program sections name hooks eBPF for
// Windows and ntosebpfext have, every helper called exists on Windows (for that
// program type), and the maps are of Windows map types, shared by pinned name.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { KIND_MAX } from '../../../remote-agent/src/decode/layout';
import { btfMaps, programHelpers } from '../../helpers/windows-objects';

const dir = path.resolve(__dirname, '../../../bpf/windows');
const out = path.join(dir, '.output');

// ebpf_structs.h, ebpf_helper_id_t: the general helpers of eBPF for Windows.
const GENERAL_HELPERS: Record<number, string> = {
  1: 'map_lookup_elem', 2: 'map_update_elem', 3: 'map_delete_elem', 4: 'map_lookup_and_delete_elem', 5: 'tail_call',
  6: 'get_prandom_u32', 7: 'ktime_get_boot_ns', 8: 'get_smp_processor_id', 9: 'ktime_get_ns', 10: 'csum_diff',
  11: 'ringbuf_output', 12: 'trace_printk2', 13: 'trace_printk3', 14: 'trace_printk4', 15: 'trace_printk5',
  16: 'map_push_elem', 17: 'map_pop_elem', 18: 'map_peek_elem', 19: 'get_current_pid_tgid', 20: 'get_current_logon_id',
  21: 'is_current_admin', 22: 'memcpy', 23: 'memcmp', 24: 'memset', 25: 'memmove', 26: 'get_socket_cookie',
  27: 'strncpy_s', 28: 'strncat_s', 29: 'strnlen_s', 30: 'ktime_get_boot_ms', 31: 'ktime_get_ms',
};
// The helpers a program type adds (0xFFFF + n), from ebpf_nethooks.h and ntosebpfext's ebpf_ntos_hooks.h.
const TYPE_HELPERS: Record<string, Record<number, string>> = {
  process: { 0x10000: 'process_get_image_path' },
  cgroup_sock_addr: { 0x10000: 'sock_addr_get_current_pid_tgid', 0x10001: 'sock_addr_set_redirect_context' },
  bind: {},
};
// Section name → program type, as eBPF for Windows (and ntosebpfext) resolve them.
const SECTION_TYPES: Record<string, string> = {
  process: 'process', bind: 'bind',
  'cgroup/connect4': 'cgroup_sock_addr', 'cgroup/connect6': 'cgroup_sock_addr',
  'cgroup/recv_accept4': 'cgroup_sock_addr', 'cgroup/recv_accept6': 'cgroup_sock_addr',
};
const EXPECTED_SECTIONS: Record<string, string[]> = {
  'process.o': ['process'],
  'net.o': ['cgroup/connect4', 'cgroup/connect6', 'cgroup/recv_accept4', 'cgroup/recv_accept6', 'bind'],
};
// ebpf_map_type_t (Linux numbers a ring buffer 27: a Linux map definition would show here)
const WIN_MAP = { hash: 1, array: 2, percpuArray: 5, ringbuf: 13 };

/** Why an object would not load on eBPF for Windows (empty: nothing found). */
function problems(object: string): string[] {
  const found: string[] = [];
  for (const [section, helpers] of programHelpers(object)) {
    if (section === '.text') {
      if (helpers.length) found.push('.text holds code: every function must be inlined into a program section');
      continue;
    }
    const type = SECTION_TYPES[section];
    if (!type) { found.push(`section ${section}: no eBPF for Windows program type`); continue; }
    for (const id of helpers) {
      if (!GENERAL_HELPERS[id] && !TYPE_HELPERS[type][id]) found.push(`section ${section}: helper ${id} does not exist for ${type} programs on Windows`);
    }
  }
  return found;
}

describe('Windows programs (bpf/windows, clang -target bpf)', function () {
  before(function () {
    this.timeout(120000);
    execFileSync('make', ['-s', '-C', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  });

  for (const [file, sections] of Object.entries(EXPECTED_SECTIONS)) {
    it(`${file}: its hooks, each calling only helpers eBPF for Windows has`, function () {
      const object = path.join(out, file);
      assert.deepEqual([...programHelpers(object).keys()].filter((s) => s !== '.text').sort(), [...sections].sort());
      assert.deepEqual(problems(object), []);
      for (const [section, helpers] of programHelpers(object)) {
        if (section !== '.text') assert.ok(helpers.includes(11), `${section} writes records with bpf_ringbuf_output`);
      }
    });

    it(`${file}: maps of Windows types, the shared ones pinned by name`, function () {
      const maps = new Map(btfMaps(path.join(out, file)).map((m) => [m.name, m]));
      assert.deepEqual(maps.get('lens_events'), { name: 'lens_events', type: WIN_MAP.ringbuf, maxEntries: 8 << 20, pinning: 1 });
      assert.equal(maps.get('lens_tracked')?.type, WIN_MAP.hash);
      assert.equal(maps.get('lens_tracked')?.pinning, 1);
      assert.deepEqual(maps.get('lens_drops'), { name: 'lens_drops', type: WIN_MAP.array, maxEntries: KIND_MAX, pinning: 1 });
      for (const m of maps.values()) assert.ok(Object.values(WIN_MAP).includes(m.type!), `${m.name}: map type ${m.type}`);
    });
  }

  it('the check catches a Linux-only construct (a Linux helper id, a kprobe section)', function () {
    this.timeout(30000);
    const src = path.join(out, 'linux-only.c');
    const obj = path.join(out, 'linux-only.o');
    // bpf_probe_read_kernel is 113 on Linux; Windows has no such helper
    execFileSync('sh', ['-c', `printf '%s\\n' '__attribute__((section("kprobe/x"), used)) int f(void *c) { return ((long (*)(void *, int, const void *))113)(0, 0, c); }' > ${src}`]);
    execFileSync('clang', ['-O2', '-target', 'bpf', '-c', src, '-o', obj]);
    assert.deepEqual(problems(obj), ['section kprobe/x: no eBPF for Windows program type']);
    execFileSync('sh', ['-c', `printf '%s\\n' '__attribute__((section("bind"), used)) int f(void *c) { return ((long (*)(void *, int, const void *))113)(0, 0, c); }' > ${src}`]);
    execFileSync('clang', ['-O2', '-target', 'bpf', '-c', src, '-o', obj]);
    assert.deepEqual(problems(obj), ['section bind: helper 113 does not exist for bind programs on Windows']);
  });
});
