//! The OpenID Connect providers the operator configured (`[[oidc]]`): each one's client,
//! built from the provider's discovery document the first time it is needed and again every
//! hour (a provider rotates its signing keys), and the HTTP client that talks to providers —
//! reqwest over rustls, redirects off (a provider's answer is never followed elsewhere).

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AsyncHttpClient, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, HttpRequest, HttpResponse, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use secrecy::ExposeSecret;
use tokio::sync::Mutex;
use url::Url;

use crate::model::ApiError;
use crate::server::config::{Config, OidcProvider};

/// A provider's client, as discovery configures it.
pub(crate) type ProviderClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// How long a provider's discovery document (and its keys) is trusted before it is read again.
const REDISCOVER_AFTER: Duration = Duration::from_secs(60 * 60);
/// The longest a provider may take to answer.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

/// Every configured provider.
pub(crate) struct OidcProviders {
    http: ProviderHttp,
    providers: Vec<Provider>,
}

/// The HTTP client that talks to providers.
pub(crate) struct ProviderHttp(reqwest::Client);

impl<'c> AsyncHttpClient<'c> for ProviderHttp {
    type Error = ProviderHttpError;
    type Future =
        Pin<Box<dyn Future<Output = Result<HttpResponse, ProviderHttpError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let response = self.0.execute(reqwest::Request::try_from(request)?).await?;
            let mut answer = openidconnect::http::Response::builder().status(response.status());
            for (name, value) in response.headers() {
                answer = answer.header(name, value);
            }
            Ok(answer.body(response.bytes().await?.to_vec())?)
        })
    }
}

struct Provider {
    settings: OidcProvider,
    redirect: RedirectUrl,
    discovered: Mutex<Option<(Instant, ProviderClient)>>,
}

impl std::fmt::Debug for OidcProviders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.names().collect();
        f.debug_struct("OidcProviders")
            .field("names", &names)
            .finish()
    }
}

/// Why talking to a provider failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ProviderHttpError {
    #[error(transparent)]
    Request(#[from] reqwest::Error),
    #[error(transparent)]
    Http(#[from] openidconnect::http::Error),
}

impl OidcProviders {
    /// The providers of `config`; an error when one is misconfigured (a bad name or issuer,
    /// two of one name, or providers without a public URL to come back to).
    pub fn new(config: &Config) -> anyhow::Result<OidcProviders> {
        let http = ProviderHttp(
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(PROVIDER_TIMEOUT)
                .build()?,
        );
        let mut providers: Vec<Provider> = Vec::new();
        for settings in &config.oidc {
            let name = &settings.name;
            anyhow::ensure!(
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
                "an [[oidc]] name is letters, digits and '-': {name:?}"
            );
            anyhow::ensure!(
                providers.iter().all(|p| p.settings.name != *name),
                "two [[oidc]] providers are named {name:?}"
            );
            IssuerUrl::new(settings.issuer.clone())
                .map_err(|e| anyhow::anyhow!("the issuer of [[oidc]] {name:?}: {e}"))?;
            let public = config.public_url.as_ref().ok_or_else(|| {
                anyhow::anyhow!("[[oidc]] providers need public-url, for their redirect URI")
            })?;
            let redirect = format!(
                "{}/auth/oidc/{name}/callback",
                public.as_str().trim_end_matches('/')
            );
            providers.push(Provider {
                settings: settings.clone(),
                redirect: RedirectUrl::new(redirect)?,
                discovered: Mutex::new(None),
            });
        }
        Ok(OidcProviders { http, providers })
    }

    /// The providers' names, in the order configured.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.providers.iter().map(|p| p.settings.name.as_str())
    }

    fn provider(&self, name: &str) -> Result<&Provider, ApiError> {
        self.providers
            .iter()
            .find(|p| p.settings.name == name)
            .ok_or_else(|| ApiError::not_found("sign-in provider"))
    }

    /// The issuer `name` was configured with.
    pub fn issuer(&self, name: &str) -> Result<&str, ApiError> {
        Ok(&self.provider(name)?.settings.issuer)
    }

    /// The client of provider `name`, discovered now if it has not been lately (or `afresh`).
    /// The lock is held only to read and to store: a slow provider keeps nobody waiting on it.
    async fn client(&self, name: &str, afresh: bool) -> Result<ProviderClient, ApiError> {
        let provider = self.provider(name)?;
        if !afresh
            && let Some((at, client)) = provider.discovered.lock().await.as_ref()
            && at.elapsed() < REDISCOVER_AFTER
        {
            return Ok(client.clone());
        }
        let issuer = IssuerUrl::new(provider.settings.issuer.clone()).map_err(|_| unreachable())?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|error| {
                tracing::warn!(provider = name, %error, "provider discovery failed");
                unreachable()
            })?;
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(provider.settings.client_id.clone()),
            Some(ClientSecret::new(
                provider.settings.client_secret.expose_secret().to_owned(),
            )),
        )
        .set_redirect_uri(provider.redirect.clone());
        *provider.discovered.lock().await = Some((Instant::now(), client.clone()));
        Ok(client)
    }

    /// Where to send a browser to sign in with `name`, with this flow's PKCE challenge, state
    /// and nonce.
    pub async fn authorize_url(
        &self,
        name: &str,
        pkce: PkceCodeChallenge,
    ) -> Result<(Url, CsrfToken, Nonce), ApiError> {
        let client = self.client(name, false).await?;
        Ok(client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("profile".to_owned()))
            .set_pkce_challenge(pkce)
            .url())
    }

    /// Trades the provider's `code` (with the flow's PKCE verifier) for an ID token, and checks
    /// it (signature, issuer, audience, expiry, `nonce`): the account that signed in. A token
    /// signed with a key not yet known is checked again once the provider is read afresh (it
    /// rotated its keys).
    pub async fn verified_account(
        &self,
        name: &str,
        code: AuthorizationCode,
        pkce_verifier: String,
        nonce: &str,
    ) -> Result<Account, ApiError> {
        let client = self.client(name, false).await?;
        let token = client
            .exchange_code(code)
            .map_err(refused)?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier))
            .request_async(&self.http)
            .await
            .map_err(refused)?;
        let id_token = token.id_token().ok_or_else(|| refused("no ID token"))?;
        let nonce = Nonce::new(nonce.to_owned());
        let claims = match id_token.claims(&client.id_token_verifier(), &nonce) {
            Ok(claims) => claims.clone(),
            Err(first) => {
                tracing::info!(provider = name, %first, "an ID token did not verify; rereading the provider");
                let fresh = self.client(name, true).await?;
                id_token
                    .claims(&fresh.id_token_verifier(), &nonce)
                    .map_err(refused)?
                    .clone()
            }
        };
        Ok(Account {
            issuer: claims.issuer().to_string(),
            subject: claims.subject().to_string(),
            name: claims
                .name()
                .and_then(|names| names.get(None))
                .map(|n| n.to_string())
                .or_else(|| claims.preferred_username().map(|u| u.to_string())),
        })
    }
}

/// Who the provider says signed in: the account (issuer and subject) and its name.
pub(crate) struct Account {
    pub issuer: String,
    pub subject: String,
    pub name: Option<String>,
}

fn refused(why: impl std::fmt::Display) -> ApiError {
    tracing::info!(%why, "an OpenID Connect sign-in was refused");
    ApiError::forbidden("the sign-in with this provider could not be checked; start again")
}

fn unreachable() -> ApiError {
    ApiError::unavailable("the sign-in provider cannot be reached; try again later")
}
