<?php
/**
 * Fills an installed site through WordPress's own functions, from the JSON on standard input:
 * members and creators (wp_insert_user, update_user_meta, their login sessions), creators'
 * WORKS posts with uploaded images (wp_insert_post, wp_insert_attachment), comments
 * (wp_insert_comment) and contact-form entries stored as posts of a custom type.
 *
 * A member whose "initial_email" differs from "email" registers and comments with the first
 * address, then changes it in their profile (wp_update_user), as people do.
 */

require __DIR__ . '/wp.php';
require_once ABSPATH . 'wp-admin/includes/image.php';

const PK_PIXEL = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

$pk_spec    = json_decode( stream_get_contents( STDIN ), true );
$pk_started = hrtime( true );
$pk_ids     = array(
	'users'    => array(),
	'works'    => array(),
	'media'    => array(),
	'comments' => array(),
	'entries'  => array(),
);

register_post_type( 'allin_entry', array( 'public' => false, 'label' => 'Entries' ) );
// One transaction (MariaDB would flush every row to disk otherwise) and, as WordPress's
// importer does, terms and comments recounted once at the end rather than per row.
$wpdb->query( 'START TRANSACTION' );
wp_defer_term_counting( true );
wp_defer_comment_counting( true );
$pk_phases = array();
$pk_phase  = hrtime( true );
function pk_phase( $name ) {
	global $pk_phases, $pk_phase;
	$pk_phases[ $name ] = ( hrtime( true ) - $pk_phase ) / 1e9;
	$pk_phase           = hrtime( true );
}

function pk_fail( $what, $error ) {
	fwrite( STDERR, $what . ': ' . $error->get_error_message() . "\n" );
	exit( 1 );
}

foreach ( $pk_spec['users'] as $person ) {
	$id = wp_insert_user(
		array(
			'user_login'      => $person['login'],
			'user_email'      => $person['initial_email'] ?? $person['email'],
			'user_pass'       => $person['password'],
			'user_url'        => $person['url'] ?? '',
			'display_name'    => $person['display_name'],
			'nickname'        => $person['nickname'],
			'first_name'      => $person['first_name'],
			'last_name'       => $person['last_name'],
			'description'     => $person['description'] ?? '',
			'role'            => $person['role'],
			'user_registered' => $person['registered'],
		)
	);
	if ( is_wp_error( $id ) ) {
		pk_fail( $person['login'], $id );
	}
	foreach ( $person['meta'] as $key => $value ) {
		update_user_meta( $id, $key, $value );
	}
	foreach ( $person['sessions'] as $session ) {
		$_SERVER['REMOTE_ADDR']     = $session['ip'];
		$_SERVER['HTTP_USER_AGENT'] = $session['ua'];
		WP_Session_Tokens::get_instance( $id )->create( time() + 14 * DAY_IN_SECONDS );
	}
	$pk_ids['users'][ $person['login'] ] = $id;
}

pk_phase( 'users' );
$pk_works = wp_insert_term( 'WORKS', 'category', array( 'slug' => 'works' ) );
if ( is_wp_error( $pk_works ) ) {
	pk_fail( 'WORKS category', $pk_works );
}

foreach ( $pk_spec['works'] as $work ) {
	$author = $pk_ids['users'][ $work['author'] ];
	$id     = wp_insert_post(
		array(
			'post_author'   => $author,
			'post_title'    => $work['title'],
			'post_content'  => $work['content'],
			'post_status'   => 'publish',
			'post_date'     => $work['date'],
			'post_category' => array( $pk_works['term_id'] ),
		),
		true
	);
	if ( is_wp_error( $id ) ) {
		pk_fail( $work['title'], $id );
	}
	$pk_ids['works'][] = $id;
	foreach ( $work['media'] as $media ) {
		$folder = wp_upload_dir( substr( $work['date'], 0, 4 ) . '/' . substr( $work['date'], 5, 2 ) );
		wp_mkdir_p( $folder['path'] );
		$file = $folder['path'] . '/' . $media['file'];
		file_put_contents( $file, base64_decode( PK_PIXEL ) );
		$attachment = wp_insert_attachment(
			array(
				'post_author'    => $author,
				'post_title'     => $media['title'],
				'post_content'   => '',
				'post_status'    => 'inherit',
				'post_mime_type' => 'image/png',
				'post_date'      => $work['date'],
				'guid'           => $folder['url'] . '/' . $media['file'],
			),
			$file,
			$id,
			true
		);
		if ( is_wp_error( $attachment ) ) {
			pk_fail( $media['file'], $attachment );
		}
		wp_update_attachment_metadata( $attachment, wp_generate_attachment_metadata( $attachment, $file ) );
		$pk_ids['media'][] = $attachment;
	}
}

pk_phase( 'works' );
foreach ( $pk_spec['comments'] as $comment ) {
	$user = null === $comment['user'] ? 0 : $pk_ids['users'][ $comment['user'] ];
	$id   = wp_insert_comment(
		array(
			'comment_post_ID'      => $pk_ids['works'][ $comment['work'] ],
			'comment_author'       => $comment['author'],
			'comment_author_email' => $comment['email'],
			'comment_author_url'   => $comment['url'] ?? '',
			'comment_author_IP'    => $comment['ip'],
			'comment_agent'        => $comment['agent'],
			'comment_content'      => $comment['content'],
			'comment_date'         => $comment['date'],
			'comment_date_gmt'     => get_gmt_from_date( $comment['date'] ),
			'comment_approved'     => 1,
			'comment_type'         => 'comment',
			'user_id'              => $user,
		)
	);
	if ( ! $id ) {
		fwrite( STDERR, 'comment not inserted: ' . $comment['content'] . "\n" );
		exit( 1 );
	}
	$pk_ids['comments'][] = $id;
}

pk_phase( 'comments' );
foreach ( $pk_spec['users'] as $person ) {
	if ( isset( $person['initial_email'] ) && $person['initial_email'] !== $person['email'] ) {
		$changed = wp_update_user(
			array(
				'ID'         => $pk_ids['users'][ $person['login'] ],
				'user_email' => $person['email'],
			)
		);
		if ( is_wp_error( $changed ) ) {
			pk_fail( $person['login'], $changed );
		}
	}
}

foreach ( $pk_spec['entries'] as $entry ) {
	$meta = array(
		'_entry_kind' => $entry['kind'],
		'_from_name'  => $entry['name'],
		'_from_email' => $entry['email'],
		'_from_phone' => $entry['phone'],
		'_remote_ip'  => $entry['ip'],
	);
	foreach ( $entry['fields'] as $key => $value ) {
		$meta[ '_field_' . $key ] = $value;
	}
	$id = wp_insert_post(
		array(
			'post_type'    => 'allin_entry',
			'post_status'  => 'publish',
			'post_author'  => 0,
			'post_title'   => $entry['subject'],
			'post_content' => $entry['message'],
			'post_date'    => $entry['date'],
			'meta_input'   => $meta,
		),
		true
	);
	if ( is_wp_error( $id ) ) {
		pk_fail( $entry['subject'], $id );
	}
	$pk_ids['entries'][] = $id;
}

wp_defer_term_counting( false );
wp_defer_comment_counting( false );
$wpdb->query( 'COMMIT' );
pk_phase( 'entries' );
pk_out(
	$pk_ids + array(
		'seconds' => ( hrtime( true ) - $pk_started ) / 1e9,
		'phases'  => $pk_phases,
	)
);
