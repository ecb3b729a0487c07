import Foundation
import SuperlearnerClient
import Supervision
import Testing

/// The repository root, from this file's path.
let repository: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}()

/// Runs `program -c script` (a shell) in the repository, with the built binary first on PATH; returns its
/// exit status and everything it printed.
func shell(_ program: String, _ script: String, home: TestHome) async -> (Int32, String) {
    var environment = home.environment
    environment["PATH"] =
        URL(fileURLWithPath: binary).deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
    let output = home.path + "/.shell-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: output) }
    let child: ChildProcess
    do {
        child = try ChildProcess(
            "/usr/bin/env", [program, "-c", script], environment: environment, directory: repository, output: output)
    } catch {
        return (-1, "\(program) is not installed: \(error)")
    }
    let status = await child.exitStatus()
    return (status, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
}

@Suite("Shell integration: completion scripts in real shells, man pages", .serialized)
struct ShellIntegrationTests {
    @Test(arguments: ["bash", "zsh", "fish"])
    func committedScriptsMatchWhatTheBinaryPrints(_ name: String) async throws {
        let home = TestHome()
        defer { home.close() }
        let printed = await home.run(["completion", name])
        let committed = try String(contentsOfFile: repository + "/Completions/superlearner.\(name)", encoding: .utf8)
        #expect(
            printed.status == 0 && printed.stdout == committed,
            "Completions/superlearner.\(name) is stale: run make completions")
    }

    @Test func completeAnswersFromTheTreeAndFromTheDaemon() async throws {
        let home = TestHome()
        defer { home.close() }
        #expect(await home.run(["__complete", "sand"]).stdout == "sandbox\n")
        #expect(await home.run(["__complete", "help", "sa"]).stdout == "sandbox\n", "help takes command names")
        #expect(await home.run(["__complete", "help", "sandbox", "cr"]).stdout == "create\n")
        #expect(
            await home.run(["__complete", "process", "list", "--sort", "m"]).stdout == "mailbox\nmessages\nmemory\n")
        #expect(await home.run(["__complete", "sandbox", "create", "x", "--spec", ""]).stdout == ":files\n")
        #expect(
            await home.run(["__complete", "sandbox", "create", "x", "--restart", "t"]).stdout
                == "transient\ntemporary\n")
        #expect(
            await home.run(["__complete", "sandbox", "create", "x", "--strategy", ""]).stdout
                == "one_for_one\none_for_all\nrest_for_one\n")
        #expect(
            await home.run(["__complete", "operation", "run", "get_process_info", ""]).stdout == "pid=\ntimeout=\n")
        #expect(await home.run(["__complete", "sandbox", "info", ""]).stdout.isEmpty, "no daemon: no live names")
        #expect(!home.client.isReachable(), "__complete never starts a daemon")
        #expect(await home.run(["sandbox", "create", "live", "DemoSupervisor"]).status == 0)
        // Live names come from the daemon within the completion's short timeout; on a loaded machine a
        // TAB may come back empty, and the next one answers: ask again rather than fail on timing.
        func completes(_ words: [String], _ expected: String) async -> Bool {
            for _ in 0..<20 {
                if await home.run(["__complete"] + words).stdout == expected { return true }
                try? await Task.sleep(for: .milliseconds(250))
            }
            return false
        }
        #expect(await completes(["sandbox", "info", ""], "live\n"))
        #expect(await completes(["process", "kill", "live/c"], "live/counter_1\nlive/counter_2\n"))
        let pids = await home.run(["__complete", "process", "info", "<"]).stdout.split(separator: "\n")
        #expect(
            pids.count == 4 && pids.allSatisfy { $0.hasPrefix("<0.") && $0.hasSuffix(">") },
            "PIDs once the word starts with <: \(pids)")
        let bare = await home.run(["__complete", "process", "info", "0."]).stdout.split(separator: "\n")
        #expect(
            bare.count == 4 && bare.allSatisfy { $0.hasPrefix("0.") && PID(parsing: $0) != nil },
            "bare PIDs need no quotes: \(bare)")
        #expect(
            await home.run(["__complete", "operation", "run", "get_process_info", "pid=live/p"]).stdout
                == "pid=live/printer_1\n")
        #expect(
            await home.run(["__complete", "operation", "run", "get_supervisor", "name="]).stdout == "name=live\n",
            "supervisors only")
        #expect(
            await home.run(["__complete", "operation", "run", "send_message", "type=c"]).stdout
                == "type=cast\ntype=call\n")
        #expect(
            await home.run(["__complete", "operation", "run", "destroy_sandbox", "sandbox_id="]).stdout
                == "sandbox_id=live\n")
        #expect(await home.run(["__complete", "operation", "run", "get_process_info", "nope="]).stdout.isEmpty)
    }

    @Test func bashCompletesNounsVerbsFlagsAndLiveNames() async throws {
        let home = TestHome()
        defer { home.close() }
        #expect(await home.run(["sandbox", "create", "b", "DemoSupervisor"]).status == 0)
        let script = """
            [ -f /usr/share/bash-completion/bash_completion ] && source /usr/share/bash-completion/bash_completion
            source Completions/superlearner.bash
            complete -p superlearner >/dev/null || exit 3
            try() {
                COMP_LINE="$1"; COMP_POINT=${#1}
                read -r -a COMP_WORDS <<< "$1"; [[ "$1" == *" " ]] && COMP_WORDS+=("")
                COMP_CWORD=$((${#COMP_WORDS[@]}-1)); COMPREPLY=()
                _superlearner
                echo "${COMPREPLY[*]}"
            }
            try "superlearner sand"
            try "superlearner sandbox de"
            try "superlearner process list --sor"
            try "superlearner wait b --for re"
            try "superlearner sandbox tree "
            try "superlearner process kill b/pr"
            """
        let (status, output) = await shell("bash", script, home: home)
        #expect(status == 0, "\(output)")
        #expect(
            output.split(separator: "\n").map(String.init) == [
                "sandbox", "destroy", "--sort", "restarted", "b", "b/printer_1",
            ])
    }

    @Test func zshRegistersAndCompletes() async throws {
        let home = TestHome()
        defer { home.close() }
        #expect(await home.run(["sandbox", "create", "z", "DemoSupervisor"]).status == 0)
        let script = """
            autoload -Uz compinit && compinit -u -D
            source Completions/superlearner.zsh
            print -r -- ${_comps[superlearner]}
            _superlearner_candidates sandbox rest
            _superlearner_candidates sandbox info ''
            """
        let (status, output) = await shell("zsh", script, home: home)
        #expect(status == 0, "\(output)")
        #expect(output.split(separator: "\n").map(String.init) == ["_superlearner", "restart", "z"])
    }

    @Test func fishCompletesThroughItsOwnMachinery() async throws {
        let home = TestHome()
        defer { home.close() }
        #expect(await home.run(["sandbox", "create", "f", "DemoSupervisor"]).status == 0)
        let script = """
            source Completions/superlearner.fish
            complete -C 'superlearner sand'
            complete -C 'superlearner sandbox info '
            complete -C 'superlearner telemetry export --format p'
            """
        let (status, output) = await shell("fish", script, home: home)
        #expect(status == 0, "\(output)")
        #expect(output.split(separator: "\n").map(String.init) == ["sandbox", "f", "prometheus"])
    }

    @Test func manPagesMatchTheTreeAndLintClean() async throws {
        let home = TestHome()
        defer { home.close() }
        let generated = home.path + "/man"
        #expect(await home.run(["__man", generated]).status == 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: generated).sorted()
        let committed = try FileManager.default.contentsOfDirectory(atPath: repository + "/man").sorted()
        #expect(names == committed)
        #expect(
            names.contains("superlearner.1") && names.contains("superlearner-sandbox.1")
                && names.contains("superlearner-spec.5"))
        for name in names {
            let fresh = try String(contentsOfFile: generated + "/" + name, encoding: .utf8)
            let kept = try String(contentsOfFile: repository + "/man/" + name, encoding: .utf8)
            #expect(fresh == kept, "man/\(name) is stale: run make man")
            let (status, lint) = await shell(
                "sh", "mandoc -Tlint '\(repository)/man/\(name)' 2>&1 | grep -v 'referenced manual not found'; exit 0",
                home: home)
            #expect(status == 0 && lint.isEmpty, "mandoc -Tlint man/\(name): \(lint)")
        }
    }
}
