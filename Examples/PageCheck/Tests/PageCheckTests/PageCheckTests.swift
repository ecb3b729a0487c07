import PageCheck
import Playwriter
import Testing

@Suite("PageCheck on a real Chromium")
struct PageCheckTests {
    @Test func aPageIsCheckedAndCaptured() async throws {
        let html = "<title>Shop</title><main style='height:2000px'>Welcome to the shop</main>"
        let (report, png) = try await check("data:text/html," + html, selector: "main", text: "Welcome")
        #expect(report == PageReport(title: "Shop", found: true, width: report.width, height: report.height))
        let image = try PNGImage(png)
        #expect(report.height >= 2000 && image.height == report.height)
    }
}
