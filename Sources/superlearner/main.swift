import SuperlearnerCLI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

let code = await SuperlearnerCLI.main(Array(CommandLine.arguments.dropFirst()))
exit(code.rawValue)
