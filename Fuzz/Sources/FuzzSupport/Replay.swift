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
