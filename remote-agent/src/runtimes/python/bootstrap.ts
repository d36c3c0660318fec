/*
 * The Python side of source linking: a `sitecustomize` module that every
 * Python process of a launched target imports at start-up (its folder is put
 * first on PYTHONPATH). It installs an audit hook (PEP 578, Python 3.8+) that,
 * for the audit events of file, process and network calls, writes one report
 * line with the calling thread's kernel tid, CLOCK_MONOTONIC time and Python
 * stack (file, exact line, function of each frame) to the session's report
 * FIFO. A write that would block, or fail, drops the report (counted), never
 * the call. It removes its folder from sys.path and runs the sitecustomize
 * it hid (Debian ships one) first, so the program sees no difference.
 */

/** The environment variable naming the report FIFO. */
export const PYTHON_CHANNEL_ENV = 'RUNTIME_LENS_PY_CHANNEL';

/** Report lines are at most this long, so each write lands whole (PIPE_BUF). */
export const PYTHON_REPORT_MAX_BYTES = 4096;

/** The FIFO's capacity the bootstrap asks for (Linux's default limit for users, /proc/sys/fs/pipe-max-size). */
export const PYTHON_PIPE_BYTES = 1048576;

/** Frames a report carries at most; deeper stacks are cut (and say so). */
export const PYTHON_MAX_FRAMES = 64;

/*
 * Line format (JSON): hello {"t":"h","p":pid,"w":tid}; report {"t":"r","p":pid,"w":tid,
 * "n":ns,"o":op,"a":[args],"k":[[file,line,column,function],...innermost first] (column 0: unknown),"x":1 when cut,
 * "l":reports dropped before this one}. Ops: fs (args: paths), spawn, exec (args: program), thread,
 * connect, bind, udp (args: host or path, port), dns (args: name).
 */
export const PYTHON_BOOTSTRAP = String.raw`# Runtime Lens: reports the Python stack of file, process and network calls to the tracing agent.
def _runtime_lens_start():
    import os
    import sys

    here = os.path.dirname(os.path.abspath(__file__))
    try:
        sys.path[:] = [p for p in sys.path if os.path.abspath(p or '.') != here]
    except Exception:
        pass
    channel = os.environ.get('${PYTHON_CHANNEL_ENV}')
    fd = -1
    if channel and hasattr(sys, 'addaudithook'):
        try:
            fd = os.open(channel, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            fd = -1
    if fd >= 0:
        # a start-up's imports report in a burst: room for it while the agent is busy (default 64 KiB)
        try:
            import fcntl
            for size in (${PYTHON_PIPE_BYTES}, 262144):
                try:
                    fcntl.fcntl(fd, getattr(fcntl, 'F_SETPIPE_SZ', 1031), size)
                    break
                except OSError:
                    pass
        except ImportError:
            pass
    try:
        _runtime_lens_chain(sys)
    finally:
        # after the hidden sitecustomize: calls of start-up code are not the program's
        if fd >= 0:
            _runtime_lens_hook(os, sys, fd)


def _runtime_lens_chain(sys):
    # runs the sitecustomize this one hides, as site would have
    try:
        import importlib.machinery
        import importlib.util
    except ImportError:  # Python 2
        import imp
        try:
            found = imp.find_module('sitecustomize', sys.path)
        except ImportError:
            return
        try:
            imp.load_module('sitecustomize', *found)
        finally:
            if found[0]:
                found[0].close()
        return
    spec = importlib.machinery.PathFinder.find_spec('sitecustomize', sys.path)
    if spec is not None and spec.loader is not None:
        module = importlib.util.module_from_spec(spec)
        sys.modules['sitecustomize'] = module
        spec.loader.exec_module(module)


def _runtime_lens_hook(os, sys, fd):
    import _thread
    import array
    import time

    max_bytes = ${PYTHON_REPORT_MAX_BYTES}
    max_frames = ${PYTHON_MAX_FRAMES}
    getframe = sys._getframe
    tid = _thread.get_native_id
    now = time.monotonic_ns
    escapes = {i: '\\u%04x' % i for i in range(32)}
    escapes[34] = '\\"'
    escapes[92] = '\\\\'
    state = {'fd': fd, 'lost': 0, 'pid': os.getpid()}
    # per code object: its file and function, written once
    codes = {}

    def forked():
        state['pid'] = os.getpid()

    os.register_at_fork(after_in_child=forked)

    def text(value):
        if isinstance(value, bytes):
            value = os.fsdecode(value)
        elif not isinstance(value, str):
            value = os.fspath(value)
            if isinstance(value, bytes):
                value = os.fsdecode(value)
        return '"' + value.translate(escapes) + '"'

    def path_args(*values):
        return [text(v) for v in values if v is not None and not isinstance(v, int)]

    def address(a):
        if isinstance(a, tuple) and len(a) >= 2 and isinstance(a[1], int):
            return [text(a[0]), str(a[1])]
        if isinstance(a, (str, bytes)):
            return [text(a)] if a else []
        return []

    def program(p, argv=None):
        if p is None and argv:
            p = argv if isinstance(argv, (str, bytes)) else argv[0]
        return [] if p is None else [text(p)]

    ops = {
        'open': ('fs', lambda a: path_args(a[0])),
        'os.listdir': ('fs', lambda a: path_args(os.getcwd() if a[0] is None else a[0])),
        'os.scandir': ('fs', lambda a: path_args(os.getcwd() if a[0] is None else a[0])),
        'os.remove': ('fs', lambda a: path_args(a[0])),
        'os.rmdir': ('fs', lambda a: path_args(a[0])),
        'os.mkdir': ('fs', lambda a: path_args(a[0])),
        'os.rename': ('fs', lambda a: path_args(a[0], a[1])),
        'os.link': ('fs', lambda a: path_args(a[0], a[1])),
        'os.symlink': ('fs', lambda a: path_args(a[0], a[1])),
        'os.chmod': ('fs', lambda a: path_args(a[0])),
        'os.chown': ('fs', lambda a: path_args(a[0])),
        'os.truncate': ('fs', lambda a: path_args(a[0])),
        'os.chdir': ('fs', lambda a: path_args(a[0])),
        'subprocess.Popen': ('spawn', lambda a: program(a[0], a[1])),
        'os.system': ('spawn', lambda a: [text('/bin/sh')]),
        'os.fork': ('spawn', lambda a: []),
        'os.forkpty': ('spawn', lambda a: []),
        'os.posix_spawn': ('spawn', lambda a: program(a[0])),
        'os.exec': ('exec', lambda a: program(a[0])),
        '_thread.start_new_thread': ('thread', lambda a: []),
        '_thread.start_joinable_thread': ('thread', lambda a: []),
        'socket.connect': ('connect', lambda a: address(a[1])),
        'socket.bind': ('bind', lambda a: address(a[1])),
        'socket.sendto': ('udp', lambda a: address(a[1])),
        'socket.getaddrinfo': ('dns', lambda a: path_args(a[0])),
        'socket.gethostbyname': ('dns', lambda a: path_args(a[0])),
        'socket.gethostbyname_ex': ('dns', lambda a: path_args(a[0])),
    }

    def columns(code):
        # 3.11+: the 1-based start column of each 2-byte code unit's instruction (0: unknown), 2 bytes each
        if not hasattr(code, 'co_positions'):
            return ()
        return array.array('H', [0 if p[2] is None or p[2] >= 65535 else p[2] + 1 for p in code.co_positions()])

    def write(line):
        if state['fd'] < 0:
            return
        try:
            os.write(state['fd'], line.encode('utf-8', 'replace'))
        except BlockingIOError:
            state['lost'] += 1
        except OSError:
            state['fd'] = -1

    def hook(event, args):
        op = ops.get(event)
        if op is None or state['fd'] < 0:
            return
        try:
            call_args = op[1](args)
            frames = []
            f = getframe(0).f_back
            while f is not None and len(frames) < max_frames:
                code = f.f_code
                named = codes.get(code)
                if named is None:
                    if len(codes) >= 20000:
                        codes.clear()
                    named = codes[code] = ('[' + text(code.co_filename) + ',',
                                           ',' + text(getattr(code, 'co_qualname', code.co_name)) + ']',
                                           columns(code))
                cols = named[2]
                i = f.f_lasti // 2
                frames.append('%s%d,%d%s' % (named[0], f.f_lineno or 0, cols[i] if 0 <= i < len(cols) else 0, named[1]))
                f = f.f_back
            cut = f is not None
            head = '{"t":"r","p":%d,"w":%d,"n":%d,"o":"%s","a":[%s]' % (
                state['pid'], tid(), now(), op[0], ','.join(call_args))
            if state['lost']:
                head += ',"l":%d' % state['lost']
            line = head + ',"k":[' + ','.join(frames) + ']' + (',"x":1' if cut else '') + '}\n'
            while len(line) * 4 > max_bytes and len(line.encode('utf-8', 'replace')) > max_bytes and frames:
                frames.pop()
                line = head + ',"k":[' + ','.join(frames) + '],"x":1}\n'
            if len(line.encode('utf-8', 'replace')) > max_bytes:
                state['lost'] += 1
                return
            lost = state['lost']
            write(line)
            if state['lost'] == lost:
                state['lost'] = 0
        except Exception:
            state['lost'] += 1

    write('{"t":"h","p":%d,"w":%d}\n' % (os.getpid(), tid()))
    sys.addaudithook(hook)


try:
    _runtime_lens_start()
finally:
    del _runtime_lens_start, _runtime_lens_chain, _runtime_lens_hook
`;
