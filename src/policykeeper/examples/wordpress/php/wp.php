<?php
/**
 * Loads Debian's WordPress for one command-line run against the site named in the environment.
 *
 * This file is that site's wp-config.php: the same constants, then wp-settings.php. Debian's
 * own wp-config.php picks /etc/wordpress/config-HOST.php by the HTTP host, which a command line
 * has not got; the per-host files there are left alone. Every script prints one JSON document.
 */

function pk_env( $name, $default = null ) {
	$value = getenv( $name );
	return false === $value ? $default : $value;
}

function pk_out( $data ) {
	fwrite( STDOUT, json_encode( $data, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES ) . "\n" );
}

define( 'DB_NAME', pk_env( 'PK_WP_DB_NAME' ) );
define( 'DB_USER', pk_env( 'PK_WP_DB_USER', 'root' ) );
define( 'DB_PASSWORD', pk_env( 'PK_WP_DB_PASSWORD', '' ) );
define( 'DB_HOST', pk_env( 'PK_WP_DB_HOST', '127.0.0.1:3306' ) );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
$table_prefix = 'wp_';

foreach ( array( 'AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT' ) as $pk_key ) {
	define( $pk_key, hash( 'sha256', $pk_key . pk_env( 'PK_WP_SECRET' ) ) );
}

define( 'ABSPATH', rtrim( pk_env( 'PK_WP_ROOT', '/usr/share/wordpress' ), '/' ) . '/' );
define( 'WP_CONTENT_DIR', pk_env( 'PK_WP_CONTENT_DIR' ) );
define( 'WP_HOME', pk_env( 'PK_WP_URL' ) );
define( 'WP_SITEURL', WP_HOME );
define( 'WP_HTTP_BLOCK_EXTERNAL', true );
define( 'DISABLE_WP_CRON', true );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'WP_DEBUG', false );

$_SERVER['HTTP_HOST']       = parse_url( WP_HOME, PHP_URL_HOST );
$_SERVER['SERVER_NAME']     = $_SERVER['HTTP_HOST'];
$_SERVER['SERVER_PORT']     = 80;
$_SERVER['REQUEST_URI']     = '/';
$_SERVER['REQUEST_METHOD']  = 'POST';
$_SERVER['REMOTE_ADDR']     = '127.0.0.1';
$_SERVER['HTTP_USER_AGENT'] = 'PolicyKeeper';

require_once ABSPATH . 'wp-settings.php';

/** Mail is recorded, never sent: the tests read what WordPress would have told the person. */
$GLOBALS['pk_mail'] = array();
add_filter(
	'pre_wp_mail',
	function ( $short_circuit, $atts ) {
		$GLOBALS['pk_mail'][] = array(
			'to'      => $atts['to'],
			'subject' => $atts['subject'],
		);
		return true;
	},
	10,
	2
);
