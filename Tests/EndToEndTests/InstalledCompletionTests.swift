import Foundation
import Supervision
import Testing

/// `make install-files PREFIX=…` into the test's home, then each real shell in a real terminal (tmux),
/// configured only to look under that prefix the way it looks under /usr/local: Tab must complete nouns,
/// flags, enum values, live names, files for `--spec`, operations and their parameters.
@Suite("Installed completion in real shells in a real terminal", .serialized)
struct InstalledCompletionTests {
    /// Text typed at the prompt (a leading ^U clears the line first), and what the line must end with,
    /// up to the cursor, after one Tab: the trailing space or its absence is part of what is checked.
    static let steps: [(type: String, expect: String)] = [
        ("superlearner sandb", "superlearner sandbox "),
        ("create x --strat", "create x --strategy "),
        ("one_for_a", "--strategy one_for_all "),
        ("--rest", "one_for_all --restart "),
        ("tem", "--restart temporary "),
        ("\u{15}superlearner wait t --for re", "superlearner wait t --for restarted "),
        ("\u{15}superlearner sandbox info ", "superlearner sandbox info t "),
        ("\u{15}superlearner process kill t/pr", "superlearner process kill t/printer_1 "),
        ("\u{15}superlearner telemetry export --format p", "--format prometheus "),
        // < is a redirection, so a PID is typed in quotes; the shell closes the quote.
        ("\u{15}superlearner process info 'PIDSTEM", "process info 'PID' "),
        // …or bare, with no quotes at all.
        ("\u{15}superlearner process info BAREPIDSTEM", "process info BAREPID "),
        ("\u{15}superlearner sandbox create y --spec SPECS/tre", "--spec SPECS/tree.yaml "),
        ("\u{15}superlearner operation run get_process_i", "superlearner operation run get_process_info "),
        ("p", "get_process_info pid="),
        ("t/pr", "get_process_info pid=t/printer_1 "),
    ]

    @Test(arguments: ["bash", "zsh", "fish"])
    func tabCompletesFromTheInstalledScripts(_ shellName: String) async throws {
        let home = TestHome()
        let prefix = await installFiles(into: home)
        let specs = home.path + "/specs"
        try FileManager.default.createDirectory(atPath: specs, withIntermediateDirectories: true)
        try write(specs + "/tree.yaml", "strategy: one_for_one\n")
        #expect(await home.run(["sandbox", "create", "t", "DemoSupervisor"]).status == 0)
        let info = try Term(jsonBytes: Array(await home.run(["process", "info", "t/printer_1", "--json"]).stdout.utf8))
        let pid = try #require(info["pid"]?.stringValue)  // <0.N.0>: typed up to N, it names one process

        let terminal = Terminal(home: home)
        let data = "XDG_DATA_DIRS=\(prefix)/share:/usr/share"
        switch shellName {
        case "bash":
            // bash-completion loads a command's completion on first use from XDG_DATA_DIRS.
            try write(home.path + "/bashrc", "PS1='$ '\nsource /usr/share/bash-completion/bash_completion\n")
            await terminal.start(
                "\(terminal.cleanEnvironment) \(data) bash --noprofile --rcfile \(home.path)/bashrc -i")
        case "zsh":
            // Debian's zsh has /usr/local/share/zsh/site-functions first in fpath; this puts the prefix's there.
            try write(
                home.path + "/.zshrc",
                "PS1='$ '\nfpath=(\(prefix)/share/zsh/site-functions $fpath)\nautoload -Uz compinit && compinit -u -d \(home.path)/.zcompdump\n"
            )
            await terminal.start("\(terminal.cleanEnvironment) ZDOTDIR=\(home.path) zsh -i")
        default:
            // fish reads vendor completions from every XDG_DATA_DIRS entry.
            try FileManager.default.createDirectory(
                atPath: home.path + "/config/fish", withIntermediateDirectories: true)
            try write(
                home.path + "/config/fish/config.fish",
                "set -g fish_greeting ''\nfunction fish_prompt; echo -n '$ '; end\n")
            await terminal.start(
                "\(terminal.cleanEnvironment) \(data) XDG_CONFIG_HOME=\(home.path)/config XDG_DATA_HOME=\(home.path)/data fish -i"
            )
        }
        let prompt = await terminal.waitForScreen { $0.contains("$ ") }
        #expect(prompt.contains("$ "), "\(shellName) shows its prompt: \(prompt)")

        for step in Self.steps {
            func fill(_ template: String) -> String {
                template.replacingOccurrences(of: "SPECS", with: specs)
                    .replacingOccurrences(of: "BAREPIDSTEM", with: String(pid.dropFirst().dropLast(3)))
                    .replacingOccurrences(of: "BAREPID", with: String(pid.dropFirst().dropLast()))
                    .replacingOccurrences(of: "PIDSTEM", with: String(pid.dropLast(3))).replacingOccurrences(
                        of: "PID", with: pid)
            }
            let text = fill(step.type)
            let expected = fill(step.expect)
            if text.hasPrefix("\u{15}") {
                await terminal.send("C-u")
                await terminal.type(String(text.dropFirst()))
            } else {
                await terminal.type(text)
            }
            await terminal.send("Tab")
            let line = await terminal.waitForLine(endingWith: expected)
            #expect(line.hasSuffix(expected), "\(shellName): '\(text)' + Tab left '\(line)', not '…\(expected)'")
        }

        await terminal.close()
        home.close()
    }

    @Test func manFindsTheInstalledPages() async {
        let home = TestHome()
        defer { home.close() }
        let prefix = await installFiles(into: home)
        let (found, paths) = await shell(
            "sh", "man -M '\(prefix)/share/man' -w superlearner superlearner-sandbox superlearner-spec 2>&1", home: home
        )
        #expect(found == 0, "man -w: \(paths)")
        #expect(
            paths.split(separator: "\n").map { $0.replacingOccurrences(of: prefix + "/share/man/", with: "") }
                == ["man1/superlearner.1", "man1/superlearner-sandbox.1", "man5/superlearner-spec.5"], "\(paths)")
        let (rendered, page) = await shell(
            "sh", "MANWIDTH=80 man -M '\(prefix)/share/man' superlearner-sandbox 2>&1 | col -b", home: home)
        #expect(
            rendered == 0 && page.contains("superlearner sandbox create"), "man renders the page: \(page.prefix(400))")
    }

    /// `make install-files PREFIX=<home>/prefix`, checked file by file; returns the prefix.
    private func installFiles(into home: TestHome) async -> String {
        let prefix = home.path + "/prefix"
        let (status, log) = await shell("sh", "make -s install-files PREFIX='\(prefix)' 2>&1", home: home)
        #expect(status == 0, "make install-files: \(log)")
        for path in [
            "share/bash-completion/completions/superlearner", "share/zsh/site-functions/_superlearner",
            "share/fish/vendor_completions.d/superlearner.fish", "share/man/man1/superlearner.1",
            "share/man/man1/superlearner-sandbox.1", "share/man/man5/superlearner-spec.5",
        ] {
            #expect(FileManager.default.fileExists(atPath: prefix + "/" + path), "make install-files installs \(path)")
        }
        return prefix
    }

    private func write(_ path: String, _ text: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
