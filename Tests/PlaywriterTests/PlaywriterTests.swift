import CSuperlearner
import Foundation
import NIOHTTP1
import Supervision
import Testing

@testable import Playwriter

#if canImport(Glibc)
    import Glibc
#endif

/// Playwriter against Debian's chromium and chromedriver, on pages a real HTTP server (python3's
/// http.server) serves from a temporary folder. One browser drives the page tests; the session test
/// starts fifty of its own.
@Suite("Playwriter: a real browser through W3C WebDriver")
struct PlaywriterTests {
    static let index = """
        <!doctype html>
        <html><head><title>Playwriter test</title></head>
        <body style="margin:0">
          <input id="name">
          <select id="color"><option value="r">Red</option><option value="g">Green</option></select>
          <button id="go" type="button"
            onclick="document.getElementById('result').textContent =
              document.getElementById('name').value + '/' + document.getElementById('color').value">Go</button>
          <div id="result"></div>
          <div style="position:relative; height:60px">
            <button id="covered" onclick="window.clicked = true">Covered</button>
            <div id="cover" style="position:absolute; top:0; left:0; width:400px; height:60px; background:#c00"></div>
          </div>
          <script>
            setTimeout(() => {
              const late = document.createElement('p');
              late.id = 'late';
              late.textContent = 'arrived';
              document.body.appendChild(late);
            }, 400);
          </script>
          <div style="height:3000px; background:linear-gradient(#fff, #36c)">tall</div>
        </body></html>
        """

    /// A folder of pages served by python3's http.server on a free port, stopped by `close`.
    final class Site: @unchecked Sendable {
        let folder: String
        let port: Int
        let server: pid_t

        init(pages: [String: String]) throws {
            folder = NSTemporaryDirectory() + "playwriter-site-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for (name, text) in pages { try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8) }
            port = Int(sl_free_loopback_port())
            let arguments = [
                "python3", "-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", folder,
            ]
            var argv = arguments.map { strdup($0) } + [nil]
            var environment = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer {
                for pointer in argv { free(pointer) }
                for pointer in environment { free(pointer) }
            }
            var python = "/usr/bin/python3"
            for folder in ProcessInfo.processInfo.environment["PATH", default: "/usr/bin"].split(separator: ":") {
                let candidate = "\(folder)/python3"
                if access(candidate, X_OK) == 0 {
                    python = candidate
                    break
                }
            }
            server = sl_spawn(python, &argv, &environment, folder, nil, folder + "/.server.log", nil, 1)
        }

        var url: String { "http://127.0.0.1:\(port)" }

        func waitUntilServing() async throws {
            for _ in 0..<200 {
                let connection = WebDriverConnection(port: port, timeout: .seconds(1))
                if (try? await connection.send(.GET, "/index.html"))?.status == 200 { return }
                try await Task.sleep(for: .milliseconds(25))
            }
            Issue.record("the test server did not start")
        }

        func close() {
            kill(server, SIGKILL)
            _ = sl_wait(server)
            try? FileManager.default.removeItem(atPath: folder)
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func pagesAreDrivenAsAPersonWould() async throws {
        let site = try Site(pages: [
            "index.html": Self.index, "other.html": "<title>Other</title><p id=x>second tab</p>",
        ])
        defer { site.close() }
        try await site.waitUntilServing()
        let startup = try await Playwriter.withBrowser { browser in
            let page = try await browser.newPage()
            try await page.goto(site.url + "/index.html")
            #expect(try await page.title() == "Playwriter test")

            // Forms: typing, choosing by value or by label, clicking; the page's own script answers.
            try await page.fill("#name", "ada")
            try await page.selectOption("#color", "Green")
            try await page.click("#go")
            #expect(try await page.textContent("#result") == "ada/g")
            #expect(try await page.attribute("#name", "id") == "name")

            // A covered button cannot be clicked, and the error says which.
            await #expect {
                try await page.click("#covered")
            } throws: { error in
                guard let error = error as? PlaywriterError else { return false }
                return error.code == .elementClickIntercepted && error.message.contains("#covered")
            }
            #expect(try await page.evaluate("return window.clicked === true") == .bool(false))

            // Waiting for what arrives late, and a clear timeout for what never does.
            try await page.waitForSelector("#late")
            #expect(try await page.textContent("#late") == "arrived")
            await #expect {
                try await page.waitForSelector("#never", timeout: .milliseconds(300))
            } throws: { error in
                guard let error = error as? PlaywriterError else { return false }
                return error.code == .timeout && error.message.contains("\"#never\"")
                    && error.message.contains("/index.html")
            }
            #expect(try await page.waitForFunction("return document.querySelectorAll('p').length") == .int(1))
            #expect(try await page.evaluate("return arguments[0] + 1", [41]) == .int(42))
            #expect(try await page.evaluate("return {a: [1, 'x']}") == ["a": [1, "x"]])
            await #expect {
                try await page.evaluate("throw new Error('boom')")
            } throws: { ($0 as? PlaywriterError)?.code == .javascriptError }
            #expect(try await page.content().contains("arrived"))

            // Screenshots: the viewport, the whole page (taller than the viewport), one element.
            let viewport = try PNGImage(try await page.screenshot())
            let full = try PNGImage(try await page.screenshot(fullPage: true))
            #expect(full.height >= 3000 && full.height > viewport.height, "\(full) vs \(viewport)")
            let button = try PNGImage(try await page.screenshot(of: "#go"))
            #expect(button.width > 0 && button.width < viewport.width)
            try await page.setViewport(width: 400, height: 300)
            #expect(try PNGImage(try await page.screenshot()).width == 400)

            // A second tab, and back: commands go to the page they were called on.
            let other = try await browser.newPage()
            try await other.goto(site.url + "/other.html")
            #expect(try await other.textContent("#x") == "second tab")
            #expect(try await page.title() == "Playwriter test")
            return browser.startupTime
        }
        print("playwriter: withBrowser to an open session took \(startup)")
    }

    @Test(.timeLimit(.minutes(5)))
    func fiftySessionsLeaveNoProcessAndNoProfileBehind() async throws {
        let clock = ContinuousClock()
        var startups: [Duration] = []
        for round in 0..<50 {
            let started = clock.now
            var folder = ""
            do {
                try await Playwriter.withBrowser { browser in
                    folder = browser.driver.folder
                    _ = try await browser.newPage()
                    // Every tenth session ends with an error: the cleanup must not depend on success.
                    if round % 10 == 9 { throw PlaywriterError(.timeout, "on purpose") }
                }
            } catch let error as PlaywriterError where error.message == "on purpose" {}
            startups.append(clock.now - started)
            #expect(!folder.isEmpty)
            #expect(!FileManager.default.fileExists(atPath: folder), "round \(round): \(folder) left behind")
            #expect(Self.processes(mentioning: folder).isEmpty, "round \(round): processes left")
        }
        let sorted = startups.sorted()
        print("playwriter: 50 sessions, median \(sorted[25]), slowest \(sorted[49]) from withBrowser to its end")
    }

    @Test func aMissingBrowserIsUnavailableAndNamesThePackages() async {
        await #expect {
            try await Playwriter.withBrowser(BrowserOptions(chromium: "/nonexistent/chromium")) { _ in 1 }
        } throws: { error in
            guard let error = error as? PlaywriterError else { return false }
            return error.code == .unavailable && error.message.contains("apt-get install chromium chromium-driver")
        }
    }

    /// chromedriver chooses its own port (`--port=0`), so no other process can take it between a choice and
    /// the bind; the port is read from its announcement, and nothing else passes for one.
    @Test func theDriversPortIsReadFromItsAnnouncement() {
        let log = """
            Starting ChromeDriver 156.0.8078.114 on port 0
            Remote connections are allowed by an allowlist (127.0.0.1).
            ChromeDriver was started successfully on port 35031.

            """
        #expect(DriverProcess.announcedPort(in: log) == 35031)
        #expect(DriverProcess.announcedPort(in: "Starting ChromeDriver 156 on port 0\n") == nil)
        #expect(DriverProcess.announcedPort(in: "ChromeDriver was started successfully on port ") == nil)
        #expect(DriverProcess.announcedPort(in: "ChromeDriver was started successfully on port 70000.") == nil)
    }

    @Test func brokenPNGsAreRefused() throws {
        #expect(throws: PNGImage.Malformed.self) { try PNGImage([1, 2, 3]) }
        var bytes = PNGImage.signature + [0, 0, 0, 13] + Array("IHDR".utf8) + [0, 0, 0, 2, 0, 0, 0, 3, 8, 2, 0, 0, 0]
        bytes += [0, 0, 0, 0]
        #expect(throws: PNGImage.Malformed.self) { try PNGImage(bytes) }
    }

    /// Live processes whose command line contains `text` (a session's profile folder is in chromium's).
    static func processes(mentioning text: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            // Plain read(2): Foundation's FileHandle traps when the process exits while it reads.
            let descriptor = open("/proc/\(pid)/cmdline", O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { return false }
            defer { close(descriptor) }
            var buffer = [UInt8](repeating: 0, count: 8192)
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            return count > 0 && String(decoding: buffer[0..<count], as: UTF8.self).contains(text)
        }
    }
}
