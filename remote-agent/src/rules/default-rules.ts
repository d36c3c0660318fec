/*
 * The developer ruleset, on by default: what a dependency, an install script
 * or a compromised tool does that a developer's own program rarely does.
 * Falco's YAML format, so a user can read it, copy it, and append to or
 * override its items in their own files. README "Security rules" says why
 * each rule matters; test/integration/rules-default.test.ts triggers each.
 */

/** The path the built-in rules' problems and findings name. */
export const DEFAULT_RULES_PATH = 'runtime-lens:default-rules.yaml';

/** The built-in developer ruleset. */
export const DEFAULT_RULES = String.raw`
- list: shell_binaries
  items: [sh, bash, dash, zsh, ksh, fish, csh, tcsh, ash, busybox]

- list: ssh_programs
  items: [ssh, ssh-agent, ssh-add, ssh-keygen, scp, sftp, sshd, ssh-keyscan]

- list: cloud_programs
  items: [aws, gcloud, az, kubectl, helm, docker, terraform, eksctl, k9s, minikube, kind, gsutil]

- list: token_programs
  items: [git, git-remote-http, git-remote-https, gh, cargo, gem, twine, curl]

- list: browser_programs
  items: [firefox, firefox-bin, chrome, chromium, chromium-browse, brave, msedge, gpg-agent, gnome-keyring-d, seahorse, pass, gpg, gpg2]

- list: build_programs
  items: [make, gmake, cmake, node-gyp, gyp, cc, gcc, g++, c++, clang, ld, as, cc1, cc1plus, collect2, pkg-config, uname, ninja]

- list: registry_hosts
  items: [registry.npmjs.org, registry.yarnpkg.com, npm.pkg.github.com, pypi.org, files.pythonhosted.org, upload.pypi.org,
          rubygems.org, index.crates.io, static.crates.io, crates.io, proxy.golang.org, sum.golang.org, repo.maven.apache.org, github.com, codeload.github.com, objects.githubusercontent.com]

- list: miner_ports
  items: [3333, 3334, 3335, 3336, 3357, 4444, 5555, 5556, 5588, 5730, 6099, 6666, 7777, 7778, 9332, 9999, 14433, 14444, 45560, 45700]

- list: privilege_programs
  items: [sudo, su, pkexec, doas, runuser, setpriv]

- list: debugger_programs
  items: [gdb, gdbserver, lldb, lldb-server, strace, ltrace, rr, py-spy, rbspy, pstack, gcore, eu-stack, dlv, valgrind]

- list: reverse_shell_tools
  items: [nc, ncat, netcat, nc.traditional, nc.openbsd, socat]

- macro: open_read
  condition: evt.type in (open, openat, openat2) and evt.is_open_read=true and evt.res != ENOENT

- macro: open_write
  condition: evt.type in (open, openat, openat2) and evt.is_open_write=true and evt.res = SUCCESS

- macro: spawned_process
  condition: evt.type = execve and evt.res = SUCCESS

- macro: inet_socket
  condition: fd.typechar in (4, 6)

- macro: package_manager_process
  condition: proc.cmdline regex "(^| |/)(npm|npm-cli[.]js|npx|npx-cli[.]js|pnpm|pnpm[.]cjs|yarn|yarn[.]js|pip|pip3|bun|gem|bundle|composer|poetry|uv)( |$)"

- macro: under_package_install
  condition: >
    proc.acmdline regex "(^| |/)(npm|npm-cli[.]js|pnpm|pnpm[.]cjs|yarn|yarn[.]js|pip|pip3|bun|gem|bundle|composer)( [^ ]+)* (install|i|ci|add|rebuild|update)( |$)"
    or proc.acmdline regex "(^| |/)cargo( [^ ]+)* (build|install)( |$)" or proc.acmdline regex "(^| |/)go generate( |$)"

- macro: install_lifecycle
  condition: proc.env[npm_lifecycle_event] in (preinstall, install, postinstall, prepare, preprepare, postprepare)

- list: interpreter_binaries
  items: [node, nodejs, python, python3, python2, perl, ruby, php, bun, deno, tsx, ts-node, lua, Rscript]

- rule: Read of SSH private key
  desc: >
    A process read an SSH private key. Keys let whoever has them log in to every server and
    push to every repository their owner can; only ssh and its tools need them.
  condition: >
    open_read and (fd.name glob "*/.ssh/id_*" or fd.name glob "*/.ssh/*_key" or fd.name glob "/etc/ssh/ssh_host_*_key")
    and not fd.name endswith ".pub" and not proc.name in (ssh_programs)
  output: "%proc.name read the SSH private key %fd.name (command=%proc.cmdline parent=%proc.pname)"
  priority: CRITICAL
  tags: [credentials, T1552]

- rule: Read of cloud credentials
  desc: >
    A process read cloud or cluster credentials (AWS, Google Cloud, Azure, Kubernetes, Docker).
    They open whole accounts; only their own command-line tools need them.
  condition: >
    open_read and (fd.name glob "*/.aws/credentials" or fd.name glob "*/.config/gcloud/credentials.db"
    or fd.name glob "*/.config/gcloud/application_default_credentials.json" or fd.name glob "*/.config/gcloud/legacy_credentials/*"
    or fd.name glob "*/.azure/accessTokens.json" or fd.name glob "*/.azure/msal_token_cache*" or fd.name glob "*/.kube/config"
    or fd.name glob "*/.docker/config.json")
    and not proc.name in (cloud_programs)
  output: "%proc.name read the cloud credentials %fd.name (command=%proc.cmdline)"
  priority: CRITICAL
  tags: [credentials, T1552]

- rule: Read of package registry or git token
  desc: >
    A process other than a package manager or git read a file holding registry or git tokens
    (.npmrc, .pypirc, .netrc, .git-credentials, gh and cargo credentials). A stolen publish token
    lets an attacker release a malicious version of your packages.
  condition: >
    open_read and fd.filename in (.npmrc, .yarnrc, .yarnrc.yml, .pypirc, .netrc, .git-credentials, credentials.toml, hosts.yml)
    and (fd.filename != hosts.yml or fd.name glob "*/.config/gh/hosts.yml")
    and (fd.filename != credentials.toml or fd.name glob "*/.cargo/credentials.toml")
    and not package_manager_process and not proc.name in (token_programs)
  output: "%proc.name read the token file %fd.name (command=%proc.cmdline parent=%proc.pname)"
  priority: CRITICAL
  tags: [credentials, supply-chain, T1552]

- rule: Read of browser or keychain secrets
  desc: >
    A process read saved browser passwords or cookies, the desktop keyring or GnuPG private keys:
    what info-stealing malware collects first.
  condition: >
    open_read and (fd.name glob "*/.mozilla/firefox/*/logins.json" or fd.name glob "*/.mozilla/firefox/*/key4.db"
    or fd.name glob "*/.mozilla/firefox/*/cookies.sqlite" or fd.name glob "*/.config/*/Default/Login Data"
    or fd.name glob "*/.config/*/Default/Cookies" or fd.name glob "*/.local/share/keyrings/*"
    or fd.name glob "*/.gnupg/private-keys-v1.d/*" or fd.name glob "*/.password-store/*")
    and not proc.name in (browser_programs)
  output: "%proc.name read the secret store %fd.name (command=%proc.cmdline)"
  priority: CRITICAL
  tags: [credentials, T1555]

- rule: Read of .env file outside the project
  desc: >
    A process read a .env file that is not under its own working directory or that of a traced
    ancestor: another project's secrets, or your home folder's.
  condition: open_read and (fd.filename = .env or fd.filename startswith ".env.") and fd.in_project = false
  output: "%proc.name read %fd.name outside its project (cwd=%proc.cwd command=%proc.cmdline)"
  priority: WARNING
  tags: [credentials, T1552]

- rule: Read of shadow passwords
  desc: >
    A process read the password hashes of the machine's users (/etc/shadow). Nothing a
    developer's program does needs them; password crackers do.
  condition: open_read and fd.name in (/etc/shadow, /etc/gshadow, /etc/shadow-, /etc/gshadow-) and not proc.name in (privilege_programs, passwd, chage, login, unix_chkpwd)
  output: "%proc.name read %fd.name (command=%proc.cmdline user=%user.name)"
  priority: CRITICAL
  tags: [credentials, T1003]

- rule: Shell spawned by an install script
  desc: >
    A package's install script started a shell or an interpreter: a lifecycle script of an
    install (npm, yarn or pnpm preinstall, install, postinstall, prepare, seen by the
    npm_lifecycle_event the package manager sets, or a process under npm/yarn/pnpm/pip/gem/bun
    install, cargo build or go generate) ran node, python, sh… Install scripts run with your
    rights before you have looked at the code; a shell or script they start is how most
    malicious packages run their payload (node install.js, curl | sh, id; uname -a). The shell
    a package manager itself wraps each script in (sh -c "node install.js") does not count (the
    command it runs does), nor shells of builds (make, node-gyp, cc), nor scripts of other
    lifecycles (npm test, npm run build, npm start).
  condition: >
    spawned_process and proc.name in (shell_binaries, interpreter_binaries) and not package_manager_process
    and (install_lifecycle or under_package_install)
    and not (proc.name in (shell_binaries) and proc.pcmdline regex "(^| |/)(npm|npm-cli[.]js|pnpm|pnpm[.]cjs|yarn|yarn[.]js|pip|pip3|bun|gem|bundle|composer|cargo|go)( |$)")
    and not proc.aname in (build_programs)
  output: "an install script started %proc.name: %proc.cmdline (parent=%proc.pcmdline lifecycle=%proc.env[npm_lifecycle_event])"
  priority: ERROR
  tags: [supply-chain, install-script, T1059]

- rule: Install script connected to a host other than the registry
  desc: >
    A process under a package install, other than the package manager itself, connected to a host
    that is not a package registry: an install script phoning home or downloading a second stage.
  condition: >
    evt.type = connect and inet_socket and under_package_install and not package_manager_process
    and not fd.sip.name in (registry_hosts) and not fd.rip in (127.0.0.1, ::1) and fd.rport != 53
  output: "install script %proc.cmdline connected to %fd.rip:%fd.rport (%fd.sip.name)"
  priority: ERROR
  tags: [supply-chain, install-script, network, T1071]

- rule: Executed a file written in the session
  desc: >
    A traced process ran a program that a traced process wrote earlier in the same session:
    download-and-execute, the shape of droppers and second stages.
  condition: spawned_process and proc.exe_written = true
  output: "%proc.exepath was written and then run (command=%proc.cmdline parent=%proc.pname)"
  priority: ERROR
  tags: [execution, T1105]

- rule: Persistence file written
  desc: >
    A process wrote a file that makes code run later by itself: shell start-up files, crontabs,
    systemd units, autostart entries, or git hooks of another repository.
  condition: >
    (open_write or (evt.type in (rename, renameat, renameat2, link, linkat, symlink, symlinkat) and evt.res = SUCCESS))
    and ((fd.name glob "*/.bashrc" or fd.name glob "*/.bash_profile" or fd.name glob "*/.bash_login" or fd.name glob "*/.profile"
    or fd.name glob "*/.zshrc" or fd.name glob "*/.zprofile" or fd.name glob "*/.zshenv" or fd.name glob "*/.config/fish/config.fish"
    or fd.name in (/etc/profile, /etc/bash.bashrc, /etc/crontab, /etc/rc.local) or fd.name glob "/etc/profile.d/*"
    or fd.name glob "/etc/cron.*/*" or fd.name glob "/var/spool/cron/*" or fd.name glob "/etc/systemd/system/*"
    or fd.name glob "*/.config/systemd/user/*" or fd.name glob "/etc/init.d/*" or fd.name glob "*/.config/autostart/*"
    or fs.path.target glob "*/.bashrc" or fs.path.target glob "*/.profile" or fs.path.target glob "/etc/systemd/system/*"
    or fs.path.target glob "/var/spool/cron/*" or fs.path.target glob "*/.config/systemd/user/*")
    or (fd.name glob "*/.git/hooks/*" and fd.in_project = false))
  output: "%proc.name wrote the persistence file %fd.name (command=%proc.cmdline)"
  priority: ERROR
  tags: [persistence, T1546, T1053]

- rule: Write to sudoers
  desc: A process wrote the sudo configuration, which decides who may become root.
  condition: open_write and (fd.name = /etc/sudoers or fd.name glob "/etc/sudoers.d/*")
  output: "%proc.name wrote %fd.name (command=%proc.cmdline)"
  priority: CRITICAL
  tags: [privilege-escalation, T1548]

- rule: Setuid or setgid bit set
  desc: A process made a file setuid or setgid, so that it runs with its owner's rights (often root) whoever starts it.
  condition: evt.type in (chmod, fchmod, fchmodat) and evt.res = SUCCESS and evt.arg.mode glob "0[2-7]???"
  output: "%proc.name made %fd.name setuid/setgid (mode %evt.arg.mode, command=%proc.cmdline)"
  priority: ERROR
  tags: [privilege-escalation, T1548]

- rule: Privilege change program run
  desc: A traced program ran sudo, su, pkexec or doas to act as another user (usually root).
  condition: spawned_process and proc.name in (privilege_programs)
  output: "%proc.pname ran %proc.cmdline"
  priority: WARNING
  tags: [privilege-escalation, T1548]

- rule: Network server spawned a shell
  desc: >
    A process that accepts connections (or listens) started a shell: the shape of remote code
    execution through a web framework, a template or a deserialisation bug.
  condition: spawned_process and proc.name in (shell_binaries) and proc.pis_server = true
  output: "server %proc.pname started a shell: %proc.cmdline"
  priority: CRITICAL
  tags: [execution, T1190, T1059]

- rule: Shell connected to the network
  desc: >
    A shell itself opened a network connection (bash's /dev/tcp): the classic reverse shell, whose
    input and output are a socket to the attacker.
  condition: evt.type = connect and inet_socket and proc.name in (shell_binaries)
  output: "shell %proc.cmdline connected to %fd.rip:%fd.rport"
  priority: CRITICAL
  tags: [reverse-shell, T1059]

- rule: Reverse shell tool run
  desc: A netcat or socat was run with an option that hands a shell or program to a network connection.
  condition: >
    spawned_process and proc.name in (reverse_shell_tools) and proc.args regex "(^| )(-e|-c|--exec|--sh-exec|--lua-exec)( |$)|exec:|system:"
  output: "%proc.cmdline hands a program to a network connection (parent=%proc.pname)"
  priority: CRITICAL
  tags: [reverse-shell, T1059]

- rule: Loader or runtime injection into a child
  desc: >
    A process started a program with LD_PRELOAD, LD_AUDIT, NODE_OPTIONS, PYTHONSTARTUP, PERL5OPT,
    RUBYOPT, JAVA_TOOL_OPTIONS or BASH_ENV set to something its parent did not have: code loaded
    into every program it starts, the way a malicious package hooks builds, tests and shells.
  condition: >
    spawned_process and proc.env_changed intersects (LD_PRELOAD, LD_AUDIT, NODE_OPTIONS, PYTHONSTARTUP, PERL5OPT, RUBYOPT, JAVA_TOOL_OPTIONS, _JAVA_OPTIONS, BASH_ENV)
  output: "%proc.pname started %proc.cmdline with %proc.env_changed changed (LD_PRELOAD=%proc.env[LD_PRELOAD] NODE_OPTIONS=%proc.env[NODE_OPTIONS])"
  priority: ERROR
  tags: [injection, T1574]

- rule: Ptrace of another process
  desc: >
    A process attached to another with ptrace, or wrote into its memory or registers
    (PTRACE_ATTACH, PTRACE_SEIZE, PTRACE_POKE*, PTRACE_SET*REGS*, process_vm_writev): how code
    reads secrets out of a running agent, browser or shell, or injects code into it. Debuggers
    (gdb, strace, …) do this by design and are left out; a refused attempt is reported too.
  condition: >
    evt.type in (ptrace, process_vm_writev) and evt.arg.request != PTRACE_TRACEME and not proc.name in (debugger_programs)
  output: "%proc.name did %evt.arg.request on pid %evt.arg.pid (%evt.res, command=%proc.cmdline)"
  priority: WARNING
  tags: [process-injection, credential-access, T1055]

- rule: Listening on all interfaces
  desc: >
    A process listens on every network interface (0.0.0.0 or ::), so other machines on the network
    can reach it; a development server usually needs only 127.0.0.1.
  condition: evt.type = listen and fd.lip in (0.0.0.0, ::) and evt.res = SUCCESS
  output: "%proc.name listens on all interfaces, port %fd.lport (command=%proc.cmdline)"
  priority: NOTICE
  tags: [network, exposure]

- rule: Connection to a mining pool port
  desc: >
    A process connected to a port that cryptocurrency mining pools use (stratum): a miner hidden in a dependency.
  condition: evt.type = connect and inet_socket and fd.rport in (miner_ports)
  output: "%proc.name connected to %fd.rip:%fd.rport, a mining pool port (command=%proc.cmdline)"
  priority: ERROR
  tags: [cryptomining, T1496]
`;
