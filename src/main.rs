fn main() -> std::process::ExitCode {
    charte::cli::main()
}
