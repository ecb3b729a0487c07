import PageCheck

#if canImport(Glibc)
    import Glibc
#endif

// page-check URL TEXT [OUT.png]: exits 0 when the page shows TEXT, 1 when it does not, 2 on bad usage.
let arguments = CommandLine.arguments
guard arguments.count == 3 || arguments.count == 4 else {
    print("usage: page-check URL TEXT [OUT.png]")
    exit(2)
}
do {
    let (report, png) = try await check(arguments[1], text: arguments[2])
    print(
        "\(report.title): \(report.found ? "found" : "missing") \"\(arguments[2])\" (\(report.width)×\(report.height))")
    if arguments.count == 4, let file = fopen(arguments[3], "wb") {
        _ = png.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        fclose(file)
    }
    exit(report.found ? 0 : 1)
} catch {
    print("page-check: \(error)")
    exit(3)
}
