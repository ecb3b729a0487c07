#if canImport(Glibc)
    import Glibc
#endif

/// Without libFuzzer, a fuzz target is a replayer: every file (or every file of every folder) named on the
/// command line goes through `target` once, so a corpus or a crash input is a regression test. Prints how
/// many inputs ran; a crash ends the process as it would under the fuzzer.
public func replay(_ arguments: [String], through target: (UnsafeRawBufferPointer) -> Void) -> Int32 {
    var files: [String] = []
    for path in arguments {
        if let directory = opendir(path) {
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) {
                    String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
                }
                if !name.hasPrefix(".") { files.append(path + "/" + name) }
            }
            closedir(directory)
        } else {
            files.append(path)
        }
    }
    for file in files.sorted() {
        guard let handle = fopen(file, "rb") else {
            print("cannot read \(file)")
            return 1
        }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&buffer, 1, buffer.count, handle)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        fclose(handle)
        bytes.withUnsafeBytes { target($0) }
    }
    print("replayed \(files.count) inputs")
    return 0
}

#if FUZZING
    /// libFuzzer's driver, in the runtime `-sanitize=fuzzer` links.
    @_silgen_name("LLVMFuzzerRunDriver")
    func llvmFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<Int32>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
    ) -> Int32

    /// Hands the process to libFuzzer, which calls `target` with each input it generates. The package's
    /// own `main` (which SwiftPM links every executable through) runs this instead of libFuzzer's `main`.
    public func runFuzzer(_ target: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Never {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(llvmFuzzerRunDriver(&argc, &argv, target))
    }
#endif
