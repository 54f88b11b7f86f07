//! `alipay`: keys, signing, verification and diagnosis for the Alipay Open Platform gateway, on top
//! of the `alipay-openapi` core.
//!
//! Exit codes: 0 verified (or done), 1 rejected, 2 bad input, 3 gateway unreachable.

mod cert;
mod diagnose;
mod gateway;
mod input;
mod keys;
mod output;
mod probe;
mod request;
mod v3;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::output::{Failure, Report};

#[derive(Debug, Parser)]
#[command(
    name = "alipay",
    version,
    about = "Keys, signing, verification and isv.invalid-signature diagnosis for the Alipay OpenAPI v2 gateway",
    after_help = "Exit codes: 0 verified / done, 1 rejected (signature or verification failed, or the gateway \
                  answered an error), 2 bad input (arguments, files, keys), 3 gateway unreachable."
)]
struct Cli {
    /// Print a JSON object on stdout instead of text (errors too)
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generate an RSA key pair for an app, in every form Alipay's console and SDKs ask for
    Keygen {
        /// Directory to write the key files to
        #[arg(long, default_value = ".")]
        out_dir: PathBuf,
        /// File-name prefix
        #[arg(long, default_value = "app")]
        name: String,
        /// Modulus size
        #[arg(long, default_value_t = 2048)]
        bits: usize,
        /// Replace existing files
        #[arg(long)]
        force: bool,
    },
    /// Inspect or convert keys
    #[command(subcommand)]
    Key(KeyCommand),
    /// Build and sign a request; print the sign content, the signature and a curl command
    Sign(request::RequestArgs),
    /// Sign a request, send it to a gateway (the local one by default) and verify the answer
    Call(request::CallArgs),
    /// Verify a saved response body; when it fails, say why
    VerifyResponse(verify::VerifyResponseArgs),
    /// Verify an asynchronous notification from its form body
    VerifyNotify(verify::VerifyNotifyArgs),
    /// Explain an isv.invalid-signature answer from the gateway's echoed sign content and the request
    Diagnose(DiagnoseArgs),
    /// OpenAPI v3: build and sign a call; print the sign content, the headers and a curl command
    SignV3(v3::SignV3Args),
    /// OpenAPI v3: verify a saved answer (headers and exact body); when it fails, say why
    VerifyV3(v3::VerifyV3Args),
    /// OpenAPI v3: explain an `invalid-signature` answer from the request as sent
    DiagnoseV3(v3::DiagnoseV3Args),
    /// Print app_cert_sn / alipay_root_cert_sn / a certificate's SN from PEM files
    CertSn(cert::CertSnArgs),
    /// Run the local development gateway (a test stand-in for Alipay) until interrupted
    Gateway(gateway::GatewayArgs),
}

#[derive(Debug, Subcommand)]
enum KeyCommand {
    /// Show what key files hold: role, form, bits, public-key fingerprint; whether they are one pair
    Inspect {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Convert a key between PKCS#1 / PKCS#8 / SubjectPublicKeyInfo, PEM / bare base64
    Convert {
        file: PathBuf,
        /// The form to write
        #[arg(long, value_enum)]
        to: keys::Form,
        /// Write to this file instead of stdout
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Print the public key of a private key, as the console takes it (bare base64)
    Public {
        file: PathBuf,
        /// PEM instead of bare base64
        #[arg(long)]
        pem: bool,
    },
}

#[derive(Debug, clap::Args)]
struct DiagnoseArgs {
    /// The gateway's answer: the response body, or just its sub_msg (`-` for stdin)
    #[arg(long, value_name = "FILE")]
    answer: PathBuf,
    /// The request as sent: an HTTP dump, the URL (then a blank line and the body), or `alipay sign --json` output
    #[arg(long, value_name = "FILE", required_unless_present = "sign_content")]
    request: Option<PathBuf>,
    /// The sign content your SDK logged (the exact text it signed)
    #[arg(long, value_name = "FILE")]
    sign_content: Option<PathBuf>,
    /// The app public key uploaded on the console, to check the request's signature
    #[arg(long, value_name = "FILE")]
    app_public_key: Option<PathBuf>,
    /// The app private key the request was signed with (its public half is derived)
    #[arg(long, value_name = "FILE")]
    app_key: Option<PathBuf>,
}

fn diagnose_command(args: &DiagnoseArgs) -> Result<Report, Failure> {
    use alipay_openapi::keys::role::App;
    use alipay_openapi::PublicKey;

    let answer = diagnose::Answer::parse(&input::read_text(&args.answer, "answer")?);
    if let Some(sub_code) = answer.sub_code.as_deref().filter(|c| *c != diagnose::INVALID_SIGNATURE) {
        return Err(Failure::bad_input(
            "not_invalid_signature",
            format!("the answer is `{sub_code}` ({}), not isv.invalid-signature", answer.sub_msg),
            "diagnose explains signature rejections; for this answer, do what its sub_msg says",
        ));
    }
    let sent = match &args.request {
        Some(path) => Some(diagnose::Sent::parse(&input::read_text(path, "request")?)?),
        None => None,
    };
    let client_content = match &args.sign_content {
        Some(path) => Some(input::read_text(path, "sign content")?.trim_end_matches(['\r', '\n']).to_owned()),
        None => None,
    };
    let uploaded: Option<PublicKey<App>> =
        args.app_public_key.as_deref().map(|p| input::public_key(p, "app public key")).transpose()?;
    let derived = args
        .app_key
        .as_deref()
        .map(|p| input::private_key::<App>(p, "app private key").map(|k| k.public_key()))
        .transpose()?;
    let pair_mismatch = match (&derived, &uploaded) {
        (Some(d), Some(u)) if d.fingerprint() != u.fingerprint() => Some((d.fingerprint(), u.fingerprint())),
        _ => None,
    };
    let evidence =
        diagnose::Evidence { answer, client_content, sent, app_public_key: uploaded.or(derived), pair_mismatch };
    let diagnosis = diagnose::diagnose(&evidence);
    Ok(Report::rejected(diagnosis.render(), diagnosis.to_json()))
}

fn run(command: &Command, as_json: bool) -> Result<Report, Failure> {
    match command {
        Command::Keygen { out_dir, name, bits, force } => keys::keygen(out_dir, name, *bits, *force),
        Command::Key(KeyCommand::Inspect { files }) => keys::inspect(files),
        Command::Key(KeyCommand::Convert { file, to, out }) => keys::convert(file, *to, out.as_deref()),
        Command::Key(KeyCommand::Public { file, pem }) => keys::public(file, *pem),
        Command::Sign(args) => request::sign(args),
        Command::Call(args) => request::call(args),
        Command::VerifyResponse(args) => verify::response(args),
        Command::VerifyNotify(args) => verify::notify(args),
        Command::Diagnose(args) => diagnose_command(args),
        Command::SignV3(args) => v3::sign(args),
        Command::VerifyV3(args) => v3::verify(args),
        Command::DiagnoseV3(args) => v3::diagnose(args),
        Command::CertSn(args) => cert::run(args),
        // Serves until interrupted; it only returns when it could not start.
        Command::Gateway(args) => gateway::run(args, as_json).map(|never| match never {}),
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { output::EXIT_BAD_INPUT } else { output::EXIT_VERIFIED };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    output::finish(run(&cli.command, cli.json), cli.json)
}
